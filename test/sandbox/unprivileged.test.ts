/**
 * The sandbox needs no root, no FUSE and no user namespaces: it runs as nobody, with no
 * capabilities, in a mount namespace where /dev/fuse is replaced by /dev/null.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { BIN, useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();
const NOBODY = 65534;
const asRoot = process.getuid?.() === 0;

(asRoot ? test : test.skip)('runs as an unprivileged user with /dev/fuse unavailable', async () => {
  const w = workspace();
  execFileSync('chown', ['-R', `${NOBODY}:${NOBODY}`, w.dir]);
  const asNobody = `setpriv --reuid=${NOBODY} --regid=${NOBODY} --clear-groups --inh-caps=-all --bounding-set=-all ${process.execPath} ${BIN}`;
  const inner = [
    'mount --bind /dev/null /dev/fuse',
    `rm ${w.db}`,
    `${asNobody} init ${w.db} >/dev/null`,
    `exec ${asNobody} run --db ${w.db} -- sh -c ` +
      `'id -u; grep CapEff /proc/self/status; echo made-by-nobody > /agent/n.txt; cat /agent/n.txt; echo done'`,
  ].join(' && ');
  const r = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', inner], {
    encoding: 'utf8',
    cwd: w.dir,
    env: { ...process.env, HOME: w.dir },
  });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout).toBe(`${NOBODY}\nCapEff:\t0000000000000000\nmade-by-nobody\ndone\n`);
  const agent = w.open();
  try {
    const st = await agent.fs.stat('/n.txt');
    expect(st.uid).toBe(NOBODY);
    expect(await agent.fs.readFile('/n.txt', 'utf8')).toBe('made-by-nobody\n');
  } finally {
    await agent.close();
  }
});

test('neither native binary refers to /dev/fuse', () => {
  const r = spawnSync(
    'grep',
    ['-c', '/dev/fuse', 'build/Release/agentos_native.node', 'build/Release/agentos-exec'],
    { encoding: 'utf8' },
  );
  expect(r.stdout).toBe('build/Release/agentos_native.node:0\nbuild/Release/agentos-exec:0\n');
});
