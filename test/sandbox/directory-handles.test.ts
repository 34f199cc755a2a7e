/**
 * Directory descriptors on /agent are placeholders the supervisor holds too. A program that
 * opens directories all day must not make the supervisor hold one descriptor per open forever:
 * handles no process holds any more are released, the ones still open keep working.
 */
import { useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();

test('thousands of directory opens keep the supervisor to a bounded number of descriptors; held ones still list', () => {
  const w = workspace();
  const script = `import os
os.makedirs("/agent/d/sub", exist_ok=True)
held = [os.open("/agent/d", os.O_RDONLY | os.O_DIRECTORY) for _ in range(300)]
for _ in range(3000):
    os.listdir("/agent")
listed = all(os.listdir(fd) == ["sub"] for fd in held)
helper = os.getppid()
with open("/proc/%d/status" % helper) as f:
    supervisor = next(int(l.split()[1]) for l in f if l.startswith("PPid:"))
print(listed, len(os.listdir("/proc/%d/fd" % supervisor)))`;
  const r = w.run(['python3', '-c', script]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const [listed, descriptors] = r.stdout.trim().split(' ');
  expect(listed).toBe('True');
  // 300 held, at most as many again before the next sweep, 256 to start with, and its own.
  expect(Number(descriptors)).toBeLessThan(1000);
});
