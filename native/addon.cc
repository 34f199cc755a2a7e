// N-API glue: exposes the supervisor event loop, child-memory access and chunk hashing to
// src/sandbox/. All logic lives in the C files; errors become JS errors with an errno code here
// and nowhere else.
#include <napi.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

extern "C" {
#include "channel.h"
#include "child-memory.h"
#include "chunk-hash.h"
#include "host-ops.h"
#include "landlock.h"
#include "supervisor.h"
}

#include <vector>

namespace {

Napi::Error ErrnoError(Napi::Env env, int err, const std::string &what) {
  Napi::Error e = Napi::Error::New(env, what + ": " + strerror(err));
  e.Set("errno", Napi::Number::New(env, err));
  e.Set("syscall", Napi::String::New(env, what));
  return e;
}

uint64_t ToU64(const Napi::Value &v) {
  bool lossless;
  if (v.IsBigInt()) return v.As<Napi::BigInt>().Uint64Value(&lossless);
  return static_cast<uint64_t>(v.As<Napi::Number>().Int64Value());
}

Napi::Buffer<char> CopyBuffer(Napi::Env env, const char *data, int len) {
  return Napi::Buffer<char>::Copy(env, data, len < 0 ? 0 : static_cast<size_t>(len));
}

Napi::Value MaybeBuffer(Napi::Env env, const char *data, int len) {
  if (len < 0) return env.Null();
  return CopyBuffer(env, data, len);
}

class Supervisor : public Napi::ObjectWrap<Supervisor> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Supervisor",
                       {
                           InstanceMethod("next", &Supervisor::Next),
                           InstanceMethod("respond", &Supervisor::Respond),
                           InstanceMethod("continueCall", &Supervisor::Continue),
                           InstanceMethod("addFd", &Supervisor::AddFd),
                           InstanceMethod("idValid", &Supervisor::IdValid),
                           InstanceMethod("markVirtualBases", &Supervisor::MarkVirtualBases),
                           InstanceMethod("addHostLink", &Supervisor::AddHostLink),
                           InstanceMethod("guardAttributes", &Supervisor::GuardAttributes),
                           InstanceMethod("attributeOnHost", &Supervisor::AttributeOnHost),
                           InstanceMethod("traceReply", &Supervisor::TraceReply),
                           InstanceMethod("sendSignal", &Supervisor::SendSignal),
                           InstanceMethod("stats", &Supervisor::Stats),
                           InstanceMethod("close", &Supervisor::Close),
                       });
  }

  // new Supervisor(channelFd, mount, cacheDir, watchDir)
  explicit Supervisor(const Napi::CallbackInfo &info) : Napi::ObjectWrap<Supervisor>(info) {
    Napi::Env env = info.Env();
    int channel = info[0].As<Napi::Number>().Int32Value();
    std::string mount = info[1].As<Napi::String>();
    std::string cache = info[2].As<Napi::String>();
    std::string watch = info[3].As<Napi::String>();
    int rc = supervisor_init(&sup_, channel, mount.c_str(), cache.c_str(), watch.c_str());
    if (rc < 0) {
      supervisor_close(&sup_);
      ErrnoError(env, -rc, "supervisor_init").ThrowAsJavaScriptException();
      return;
    }
    open_ = true;
  }

  ~Supervisor() override {
    if (open_) supervisor_close(&sup_);
  }

 private:
  struct supervisor sup_;
  bool open_ = false;

  bool CheckOpen(Napi::Env env) {
    if (!open_) ErrnoError(env, EBADF, "supervisor").ThrowAsJavaScriptException();
    return open_;
  }

  Napi::Value Next(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    int timeout = info[0].As<Napi::Number>().Int32Value();
    int kind = supervisor_next(&sup_, timeout);
    if (kind < 0) {
      ErrnoError(env, -kind, "supervisor_next").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    Napi::Object ev = Napi::Object::New(env);
    switch (kind) {
      case EV_SYSCALL:
        FillSyscall(env, ev);
        break;
      case EV_TRACE:
        FillTrace(env, ev);
        break;
      case EV_CLOSE_WRITE:
        ev.Set("kind", "close-write");
        ev.Set("names", Napi::String::New(env, sup_.text, sup_.text_len));
        break;
      case EV_EXIT: {
        struct exit_message msg = {1, 0};
        if (sup_.message_len >= sizeof msg) memcpy(&msg, sup_.message, sizeof msg);
        ev.Set("kind", "exit");
        ev.Set("code", msg.code);
        ev.Set("rawStatus", msg.raw_status);
        break;
      }
      case EV_ERROR:
        ev.Set("kind", "error");
        ev.Set("message", Napi::String::New(env, sup_.text, sup_.text_len));
        break;
      default:
        ev.Set("kind", "idle");
    }
    return ev;
  }

  void FillSyscall(Napi::Env env, Napi::Object ev) {
    const struct syscall_event &s = sup_.syscall;
    ev.Set("kind", "syscall");
    ev.Set("id", Napi::BigInt::New(env, s.id));
    ev.Set("pid", s.pid);
    ev.Set("nr", s.data.nr);
    ev.Set("name", s.info ? s.info->name : "unknown");
    Napi::Array args = Napi::Array::New(env, 6);
    for (uint32_t i = 0; i < 6; i++) args[i] = Napi::BigInt::New(env, static_cast<uint64_t>(s.data.args[i]));
    ev.Set("args", args);
    Napi::Array paths = Napi::Array::New(env, 2);
    Napi::Array bases = Napi::Array::New(env, 2);
    for (uint32_t i = 0; i < 2; i++) {
      paths[i] = MaybeBuffer(env, s.paths[i], s.path_len[i]);
      bases[i] = MaybeBuffer(env, s.bases[i], s.base_len[i]);
    }
    ev.Set("paths", paths);
    ev.Set("bases", bases);
    ev.Set("fdLink", MaybeBuffer(env, s.fd_link, s.fd_link_len));
    ev.Set("credEpoch", Napi::Number::New(env, static_cast<double>(sup_.cred_epoch)));
  }

  void FillTrace(Napi::Env env, Napi::Object ev) {
    struct trace_request req;
    memset(&req, 0, sizeof req);
    if (sup_.message_len >= sizeof req) memcpy(&req, sup_.message, sizeof req);
    size_t avail = sup_.message_len > sizeof req ? sup_.message_len - sizeof req : 0;
    size_t path_len = req.path_len <= avail ? req.path_len : avail;
    size_t base_len = req.base_len <= avail - path_len ? req.base_len : avail - path_len;
    ev.Set("kind", "trace");
    ev.Set("requestId", req.id);
    ev.Set("pid", req.pid);
    ev.Set("nr", req.nr);
    ev.Set("dirfd", req.dirfd);
    ev.Set("flags", req.flags);
    ev.Set("path", CopyBuffer(env, sup_.message + sizeof req, static_cast<int>(path_len)));
    ev.Set("base", CopyBuffer(env, sup_.message + sizeof req + path_len, static_cast<int>(base_len)));
  }

  // respond(id, errno, value): errno 0 answers success with value.
  Napi::Value Respond(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    uint64_t id = ToU64(info[0]);
    int err = info[1].As<Napi::Number>().Int32Value();
    int64_t value = info.Length() > 2 ? info[2].As<Napi::Number>().Int64Value() : 0;
    int rc = supervisor_respond(&sup_, id, err, value);
    return Napi::Number::New(env, rc);
  }

  Napi::Value Continue(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    return Napi::Number::New(env, supervisor_continue(&sup_, ToU64(info[0])));
  }

  // addFd(id, fd, cloexec, send): returns the fd number in the child, or -errno.
  Napi::Value AddFd(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    int rc = supervisor_addfd(&sup_, ToU64(info[0]), info[1].As<Napi::Number>().Int32Value(),
                              info[2].As<Napi::Boolean>().Value(), info[3].As<Napi::Boolean>().Value());
    return Napi::Number::New(env, rc);
  }

  Napi::Value IdValid(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    return Napi::Boolean::New(env, supervisor_id_valid(&sup_, ToU64(info[0])));
  }

  Napi::Value MarkVirtualBases(const Napi::CallbackInfo &info) {
    sup_.virtual_bases_exist = 1;
    return info.Env().Undefined();
  }

  Napi::Value AddHostLink(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    std::string path = info[0].As<Napi::String>();
    int rc = supervisor_add_host_link(&sup_, path.c_str());
    if (rc < 0) ErrnoError(env, -rc, "add_host_link").ThrowAsJavaScriptException();
    return env.Undefined();
  }

  // guardAttributes(writable[]): from now on host attribute changes are checked (attr-guard.h).
  Napi::Value GuardAttributes(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    Napi::Array list = info[0].As<Napi::Array>();
    std::vector<std::string> paths;
    std::vector<const char *> pointers;
    for (uint32_t i = 0; i < list.Length(); i++) paths.push_back(list.Get(i).As<Napi::String>());
    for (const std::string &p : paths) pointers.push_back(p.c_str());
    int rc = attr_guard_set_writable(&sup_.guard, pointers.data(), pointers.size());
    if (rc < 0) ErrnoError(env, -rc, "attr_guard_set_writable").ThrowAsJavaScriptException();
    return env.Undefined();
  }

  // attributeOnHost(hostPath): performs the current attribute call on a host path the handler
  // resolved, under the host policy. Returns 0 or -errno.
  Napi::Value AttributeOnHost(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    std::string path = info[0].As<Napi::String>();
    if (!sup_.syscall.info || !attr_guard_covers(sup_.syscall.info->nr)) return Napi::Number::New(env, -ENOTSUP);
    return Napi::Number::New(env, attr_guard_perform(&sup_.guard, &sup_.syscall, path.c_str()));
  }

  // traceReply(requestId, errno, strings[]): strings[0] is the new path, the rest replace argv[0].
  Napi::Value TraceReply(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    struct trace_reply reply;
    reply.id = info[0].As<Napi::Number>().Uint32Value();
    reply.error = info[1].As<Napi::Number>().Int32Value();
    Napi::Array strings = info[2].As<Napi::Array>();
    reply.count = strings.Length();
    std::string payload(reinterpret_cast<const char *>(&reply), sizeof reply);
    for (uint32_t i = 0; i < strings.Length(); i++) {
      Napi::Value v = strings[i];
      if (v.IsBuffer()) {
        Napi::Buffer<char> b = v.As<Napi::Buffer<char>>();
        payload.append(b.Data(), b.Length());
      } else {
        payload += v.As<Napi::String>().Utf8Value();
      }
      payload.push_back('\0');
    }
    int rc = channel_send(sup_.channel, MSG_TRACE_REPLY, payload.data(), payload.size(), -1);
    if (rc < 0) ErrnoError(env, -rc, "channel_send").ThrowAsJavaScriptException();
    return env.Undefined();
  }

  Napi::Value SendSignal(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!CheckOpen(env)) return env.Undefined();
    int32_t sig = info[0].As<Napi::Number>().Int32Value();
    int rc = channel_send(sup_.channel, MSG_SIGNAL, &sig, sizeof sig, -1);
    return Napi::Number::New(env, rc);
  }

  Napi::Value Stats(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    Napi::Object o = Napi::Object::New(env);
    o.Set("notifications", Napi::Number::New(env, static_cast<double>(sup_.stats.notifications)));
    o.Set("continued", Napi::Number::New(env, static_cast<double>(sup_.stats.continued)));
    o.Set("hidden", Napi::Number::New(env, static_cast<double>(sup_.stats.hidden)));
    o.Set("guarded", Napi::Number::New(env, static_cast<double>(sup_.stats.guarded)));
    o.Set("handled", Napi::Number::New(env, static_cast<double>(sup_.stats.handled)));
    o.Set("syncWakeup", Napi::Boolean::New(env, sup_.sync_wakeup != 0));
    return o;
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    if (open_) supervisor_close(&sup_);
    open_ = false;
    return info.Env().Undefined();
  }
};

// createChannel(): [supervisorEnd, helperEnd], both close-on-exec (spawn dup2s the helper end).
Napi::Value CreateChannel(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0) {
    ErrnoError(env, errno, "socketpair").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array out = Napi::Array::New(env, 2);
  out[0u] = fds[0];
  out[1u] = fds[1];
  return out;
}

// readMemory(pid, address, length): Buffer
Napi::Value ReadMemory(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int pid = info[0].As<Napi::Number>().Int32Value();
  uint64_t addr = ToU64(info[1]);
  size_t len = info[2].As<Napi::Number>().Uint32Value();
  Napi::Buffer<char> buf = Napi::Buffer<char>::New(env, len);
  int rc = child_read(pid, addr, buf.Data(), len);
  if (rc < 0) {
    ErrnoError(env, -rc, "process_vm_readv").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return buf;
}

// readString(pid, address, max): Buffer without the NUL
Napi::Value ReadString(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int pid = info[0].As<Napi::Number>().Int32Value();
  uint64_t addr = ToU64(info[1]);
  size_t cap = info[2].As<Napi::Number>().Uint32Value();
  std::string buf(cap + 1, '\0');
  ssize_t n = child_read_string(pid, addr, &buf[0], cap + 1);
  if (n < 0) {
    ErrnoError(env, static_cast<int>(-n), "process_vm_readv").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return CopyBuffer(env, buf.data(), static_cast<int>(n));
}

// writeMemory(pid, address, buffer)
Napi::Value WriteMemory(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int pid = info[0].As<Napi::Number>().Int32Value();
  uint64_t addr = ToU64(info[1]);
  Napi::Buffer<char> buf = info[2].As<Napi::Buffer<char>>();
  int rc = child_write(pid, addr, buf.Data(), buf.Length());
  if (rc < 0) {
    ErrnoError(env, -rc, "process_vm_writev").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return env.Undefined();
}

// chunkHashes(fd, size, chunkSize): BigUint64Array with one hash per chunk
Napi::Value ChunkHashes(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  uint64_t size = static_cast<uint64_t>(info[1].As<Napi::Number>().Int64Value());
  uint32_t chunk = info[2].As<Napi::Number>().Uint32Value();
  size_t n = chunk ? static_cast<size_t>((size + chunk - 1) / chunk) : 0;
  Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, n * sizeof(uint64_t));
  long got = chunk_hashes(fd, size, chunk, static_cast<uint64_t *>(ab.Data()), n);
  if (got < 0) {
    ErrnoError(env, static_cast<int>(-got), "chunk_hashes").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::TypedArrayOf<uint64_t>::New(env, static_cast<size_t>(got), ab, 0, napi_biguint64_array);
}

// seek(fd, offset, whence): the new offset. Node has no lseek; directory cursors need it.
Napi::Value Seek(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  off_t offset = static_cast<off_t>(info[1].As<Napi::Number>().Int64Value());
  int whence = info[2].As<Napi::Number>().Int32Value();
  off_t pos = lseek(fd, offset, whence);
  if (pos < 0) {
    ErrnoError(env, errno, "lseek").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, static_cast<double>(pos));
}

// futimens(fd, atimeSec, atimeNsec, mtimeSec, mtimeNsec): Node's futimes takes seconds as a
// double, which rounds nanoseconds away.
Napi::Value Futimens(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct timespec ts[2];
  ts[0].tv_sec = static_cast<time_t>(info[1].As<Napi::Number>().Int64Value());
  ts[0].tv_nsec = static_cast<long>(info[2].As<Napi::Number>().Int64Value());
  ts[1].tv_sec = static_cast<time_t>(info[3].As<Napi::Number>().Int64Value());
  ts[1].tv_nsec = static_cast<long>(info[4].As<Napi::Number>().Int64Value());
  if (futimens(fd, ts) < 0) ErrnoError(env, errno, "futimens").ThrowAsJavaScriptException();
  return env.Undefined();
}

// The thread that performs host calls for sandboxed programs under their host policy.
class HostOps : public Napi::ObjectWrap<HostOps> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "HostOps",
                       {InstanceMethod("call", &HostOps::Call), InstanceMethod("close", &HostOps::Close)});
  }

  // new HostOps(writable: string[] | null, isolateAbstractSockets): null means unrestricted.
  explicit HostOps(const Napi::CallbackInfo &info) : Napi::ObjectWrap<HostOps>(info) {
    Napi::Env env = info.Env();
    std::vector<std::string> paths;
    std::vector<const char *> pointers;
    bool restricted = info[0].IsArray();
    if (restricted) {
      Napi::Array list = info[0].As<Napi::Array>();
      for (uint32_t i = 0; i < list.Length(); i++) paths.push_back(list.Get(i).As<Napi::String>());
      for (const std::string &p : paths) pointers.push_back(p.c_str());
    }
    struct host_policy policy = {pointers.data(), pointers.size(), info[1].ToBoolean().Value() ? 1 : 0};
    char err[512] = "";
    ops_ = host_ops_start(restricted ? &policy : nullptr, err, sizeof err);
    if (!ops_) Napi::Error::New(env, err).ThrowAsJavaScriptException();
  }

  ~HostOps() override { host_ops_stop(ops_); }

 private:
  // call(nr, args): numbers, bigints, or Buffers (passed by address, which stays valid as the
  // call is synchronous). Returns the result or -errno.
  Napi::Value Call(const Napi::CallbackInfo &info) {
    Napi::Env env = info.Env();
    if (!ops_) {
      Napi::Error::New(env, "host operations thread is closed").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    long nr = info[0].As<Napi::Number>().Int64Value();
    Napi::Array list = info[1].As<Napi::Array>();
    long args[6] = {0, 0, 0, 0, 0, 0};
    for (uint32_t i = 0; i < list.Length() && i < 6; i++) {
      Napi::Value v = list.Get(i);
      if (v.IsBuffer()) args[i] = reinterpret_cast<long>(v.As<Napi::Buffer<char>>().Data());
      else args[i] = static_cast<long>(ToU64(v));
    }
    return Napi::Number::New(env, static_cast<double>(host_ops_call(ops_, nr, args)));
  }

  Napi::Value Close(const Napi::CallbackInfo &info) {
    host_ops_stop(ops_);
    ops_ = nullptr;
    return info.Env().Undefined();
  }

  struct host_ops *ops_ = nullptr;
};

// landlockAbi(): the kernel's Landlock ABI version, or -errno when it has none.
Napi::Value LandlockAbi(const Napi::CallbackInfo &info) { return Napi::Number::New(info.Env(), landlock_abi()); }

Napi::Value HostSync(const Napi::CallbackInfo &info) {
  sync();
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Supervisor", Supervisor::Define(env));
  exports.Set("createChannel", Napi::Function::New(env, CreateChannel));
  exports.Set("readMemory", Napi::Function::New(env, ReadMemory));
  exports.Set("readString", Napi::Function::New(env, ReadString));
  exports.Set("writeMemory", Napi::Function::New(env, WriteMemory));
  exports.Set("chunkHashes", Napi::Function::New(env, ChunkHashes));
  exports.Set("hostSync", Napi::Function::New(env, HostSync));
  exports.Set("seek", Napi::Function::New(env, Seek));
  exports.Set("futimens", Napi::Function::New(env, Futimens));
  exports.Set("HostOps", HostOps::Define(env));
  exports.Set("landlockAbi", Napi::Function::New(env, LandlockAbi));
  return exports;
}

}  // namespace

NODE_API_MODULE(agentos_native, Init)
