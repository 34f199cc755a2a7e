{
  "target_defaults": {
    "cflags": ["-Wall", "-Wextra", "-O2", "-fno-strict-aliasing"],
    "cflags_c": ["-std=gnu11"],
    "cflags_cc": ["-std=c++17"]
  },
  "targets": [
    {
      "target_name": "agentos_native",
      "sources": [
        "native/addon.cc",
        "native/supervisor.c",
        "native/classify.c",
        "native/channel.c",
        "native/child-memory.c",
        "native/syscall-table.c",
        "native/chunk-hash.c",
        "native/host-ops.c",
        "native/landlock.c",
        "native/attr-guard.c"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"]
    },
    {
      "target_name": "agentos-exec",
      "type": "executable",
      "sources": [
        "native/exec-helper.c",
        "native/tracer.c",
        "native/filter.c",
        "native/classify.c",
        "native/channel.c",
        "native/child-memory.c",
        "native/syscall-table.c",
        "native/landlock.c",
        "native/capabilities.c"
      ]
    }
  ]
}
