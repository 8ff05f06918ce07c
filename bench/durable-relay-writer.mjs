// The durable relay's writer thread (bench/durable-relay-server.ts), in plain JavaScript: the least
// a chat server that stores each message on disk before anyone sees it must do. SQLite in WAL mode
// with an fsync at every commit (synchronous=FULL), as the event store's writer; what arrives while
// a transaction is written waits for the next one (group commit that grows with load).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
// The log is copied back by a thread of its own (infra/sqlite/wal-checkpointer.ts, started by the
// server), as the event store's is: left to SQLite, the commit that takes the log past 1,000 pages
// would do it, and every chat arriving meanwhile would wait. This is only its backstop.
db.pragma('wal_autocheckpoint = 16384');
db.exec(`CREATE TABLE IF NOT EXISTS chats (
  position INTEGER PRIMARY KEY, room TEXT NOT NULL, sender TEXT NOT NULL, message TEXT NOT NULL,
  at TEXT NOT NULL)`);
const insert = db.prepare('INSERT INTO chats (room, sender, message, at) VALUES (?, ?, ?, ?)');
const write = db.transaction((rows) => {
  for (const r of rows) insert.run(r.room, r.sender, r.message, r.at);
});

let pending = [];
let scheduled = false;

function flush() {
  scheduled = false;
  const rows = pending;
  pending = [];
  write(rows);
  parentPort.postMessage(rows.map((r) => r.id));
}

parentPort.on('message', (rows) => {
  pending.push(...rows);
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
});
parentPort.postMessage('ready');
