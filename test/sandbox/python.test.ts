/** python3 writing and reading files in /agent, and its sqlite3 module keeping a database there. */
import { useWorkspace } from '../helpers/sandbox.js';

const workspace = useWorkspace();

const PROGRAM = `
import os, sqlite3, shutil, tempfile
os.makedirs('/agent/py/data', exist_ok=True)
with open('/agent/py/data/a.txt', 'w') as f:
    f.write('alpha\\n' * 1000)
with open('/agent/py/data/a.txt', 'a') as f:
    f.write('omega\\n')
print(open('/agent/py/data/a.txt').read().splitlines()[-1])
db = sqlite3.connect('/agent/py/test.sqlite')
db.execute('create table t(x integer primary key, y text)')
db.executemany('insert into t(y) values (?)', [('row%d' % i,) for i in range(500)])
db.commit()
print(db.execute('select count(*), max(y) from t').fetchone())
print(db.execute('pragma integrity_check').fetchone()[0])
db.close()
shutil.copytree('/agent/py', '/agent/py2')
shutil.rmtree('/agent/py2')
os.chdir('/agent/py')
print(os.getcwd(), sorted(os.listdir('.')))
st = os.stat('data/a.txt'); fd = os.open('data/a.txt', os.O_RDONLY); fst = os.fstat(fd); os.close(fd)
print(st.st_ino == fst.st_ino and st.st_dev == fst.st_dev, st.st_size)
with tempfile.TemporaryDirectory(dir='/agent') as d:
    open(os.path.join(d, 'x'), 'w').write('tmp')
    print(os.listdir(d))
`;

test('python3 file I/O, shutil, tempfile and sqlite3 work in /agent', async () => {
  const w = workspace();
  const r = w.run(['python3', '-c', PROGRAM]);
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe("omega\n(500, 'row99')\nok\n/agent/py ['data', 'test.sqlite']\nTrue 6006\n['x']\n");
  const agent = w.open();
  try {
    expect((await agent.fs.readFile('/py/data/a.txt', 'utf8')).length).toBe(6006);
    const sqlite = await agent.fs.readFile('/py/test.sqlite');
    expect(sqlite.subarray(0, 15).toString()).toBe('SQLite format 3');
    expect(await agent.fs.exists('/py2')).toBe(false);
  } finally {
    await agent.close();
  }
});

test('a database python3 made in /agent is readable again in a later run', () => {
  const w = workspace();
  w.run([
    'python3',
    '-c',
    "import sqlite3; d=sqlite3.connect('/agent/kv.db'); d.execute('create table k(v)'); d.execute(\"insert into k values ('kept')\"); d.commit()",
  ]);
  const r = w.run([
    'python3',
    '-c',
    "import sqlite3; print(sqlite3.connect('/agent/kv.db').execute('select v from k').fetchone()[0])",
  ]);
  expect(r.stdout).toBe('kept\n');
});
