/** agentos diff on a scripted set of changes: the listing, the patch and the JSON, exactly. */
import { join } from 'node:path';
import type { FileChange } from '../../src/index.js';
import { useWorkspace } from '../helpers/sandbox.js';
import { applyChanges, buildBase } from './fixtures.js';

const workspace = useWorkspace();

const LISTING = `A  /added.txt
M  /big.bin  content: 1 of 4 chunks
D  /dir/inner.txt
A  /dir/new.txt
D  /gone.txt
M  /link  target keep.txt -> notes.txt
A  /newdir/
A  /newdir/x
M  /notes.txt  content: 1 of 1 chunks
M  /script.sh  mode 0644 -> 0755
M  /trunc.txt  content: 1 of 1 chunks, 100 -> 50 bytes
T  /typechange  file -> directory
kv M  a
kv D  b
kv A  d
`;

const PATCH = `diff --git a/added.txt b/added.txt
new file mode 100644
--- /dev/null
+++ b/added.txt
@@ -0,0 +1,1 @@
+new
diff --git a/big.bin b/big.bin
Binary files a/big.bin and b/big.bin differ
diff --git a/dir/inner.txt b/dir/inner.txt
deleted file mode 100644
--- a/dir/inner.txt
+++ /dev/null
@@ -1,1 +0,0 @@
-inner
diff --git a/dir/new.txt b/dir/new.txt
new file mode 100644
--- /dev/null
+++ b/dir/new.txt
@@ -0,0 +1,1 @@
+new inside
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
--- a/gone.txt
+++ /dev/null
@@ -1,1 +0,0 @@
-bye
diff --git a/link b/link
--- a/link
+++ b/link
@@ -1,1 +1,1 @@
-keep.txt
\\ No newline at end of file
+notes.txt
\\ No newline at end of file
diff --git a/newdir/x b/newdir/x
new file mode 100644
--- /dev/null
+++ b/newdir/x
@@ -0,0 +1,1 @@
+x
\\ No newline at end of file
diff --git a/notes.txt b/notes.txt
--- a/notes.txt
+++ b/notes.txt
@@ -1,3 +1,3 @@
 line1
-line2
+LINE2
 line3
diff --git a/script.sh b/script.sh
old mode 100644
new mode 100755
diff --git a/trunc.txt b/trunc.txt
--- a/trunc.txt
+++ b/trunc.txt
@@ -1,1 +1,1 @@
-${'a'.repeat(100)}
\\ No newline at end of file
+${'a'.repeat(50)}
\\ No newline at end of file
diff --git a/typechange b/typechange
deleted file mode 100644
--- a/typechange
+++ /dev/null
@@ -1,1 +0,0 @@
-was a file
`;

test('diff lists exactly the scripted changes, with patches and as JSON', async () => {
  const w = workspace();
  const snap = join(w.dir, 'before.db');
  const agent = w.open();
  try {
    await buildBase(agent);
    await agent.snapshot(snap);
    expect(await agent.diff(snap)).toEqual({ files: [], kv: [] });
    await applyChanges(agent);
  } finally {
    await agent.close();
  }

  const text = w.cli(['diff', snap]);
  expect(text.stderr).toBe('');
  expect(text.status).toBe(0);
  expect(text.stdout).toBe(LISTING);

  const patch = w.cli(['diff', '--patch', snap]);
  expect(patch.stdout).toBe(`${LISTING}\n${PATCH}`);

  const json = JSON.parse(w.cli(['diff', snap, '--json']).stdout);
  expect(json.kv).toEqual([
    { key: 'a', change: 'modified', before: 1, after: 2 },
    { key: 'b', change: 'deleted', before: 'x' },
    { key: 'd', change: 'added', after: true },
  ]);
  const byPath = Object.fromEntries((json.files as FileChange[]).map((f) => [f.path, f]));
  expect(Object.keys(byPath)).toHaveLength(12);
  expect(byPath['/big.bin']).toEqual({
    path: '/big.bin',
    change: 'modified',
    before: {
      type: 'file',
      mode: 0o644,
      uid: expect.any(Number),
      gid: expect.any(Number),
      size: 3 * 4096 + 100,
    },
    after: {
      type: 'file',
      mode: 0o644,
      uid: expect.any(Number),
      gid: expect.any(Number),
      size: 3 * 4096 + 100,
    },
    content: { changedChunks: 1, chunks: 4, chunkSize: 4096 },
  });
  expect(byPath['/script.sh'].mode).toEqual({ before: 0o644, after: 0o755 });
  expect(byPath['/link'].target).toEqual({ before: 'keep.txt', after: 'notes.txt' });
  expect(byPath['/typechange']).toMatchObject({
    change: 'type-changed',
    before: { type: 'file' },
    after: { type: 'directory' },
  });
  expect(byPath['/newdir']).toMatchObject({ change: 'added', after: { type: 'directory' } });

  // Two snapshots, neither of them the live database: A to B, and B to A reversed.
  const after = join(w.dir, 'after.db');
  expect(w.cli(['snapshot', after]).status).toBe(0);
  expect(w.cli(['diff', snap, after]).stdout).toBe(LISTING);
  const reverse = w.cli(['diff', after, snap]).stdout;
  expect(reverse).toBe(
    LISTING.replace(/^A /gm, 'X ')
      .replace(/^D /gm, 'A ')
      .replace(/^X /gm, 'D ')
      .replace(/^kv A /m, 'kv X ')
      .replace(/^kv D /m, 'kv A ')
      .replace(/^kv X /m, 'kv D ')
      .replace(/(\S+) -> (\S+)$/gm, '$2 -> $1')
      .replace('content: 1 of 1 chunks, 100 -> 50 bytes', 'content: 1 of 1 chunks, 50 -> 100 bytes')
      .replace('mode 0644 -> 0755', 'mode 0755 -> 0644')
      .replace('file -> directory', 'directory -> file'),
  );
});
