/**
 * The V8 settings the server runs with: `npm start` passes them on node's command line
 * (package.json; app/node-flags.unit.test.ts keeps the two in step), and so do the tests' and
 * benches' server processes (test/support/confer-process.ts). Both are measured in
 * docs/capacity.md; what they cost is memory.
 */
export const SERVER_NODE_FLAGS = [
  // A 32 MiB young generation: half the scavenges of the default 16 under load, each ~1.3x as long
  // (4.2 against 3.1 ms at 4,000 chats/s), for less CPU a chat and a tail no longer; 8 MiB took
  // a quarter more CPU a chat (docs/capacity.md, twenty-ninth session).
  '--max-semi-space-size=32',
  // The old generation may grow to 10× what survived the last full collection before the next
  // one starts (V8 picks 1.1-4× by itself): the Go runtime's GOGC, for V8. Under load every full
  // collection is the server's longest stall (marking beside the event loop, 100-250 ms of late
  // chats on two cores), and how often one comes is set by how much garbage may pile up first,
  // not by how much is live, which is what each one costs. At 1,000 meetings of 5 and 4,000 chats/s
  // they came every ~30 s; the price is a larger heap between them.
  '--heap-growing-percent=900',
  // Allocation sites whose objects often outlive one scavenge are allocated in the old generation
  // from then on. Here those are a meeting's state, ids and stored events, which live until the
  // meeting's next chat (~250 ms) and then fill the old generation with garbage: without it the
  // old generation grows 1,050 bytes a chat instead of 2,100 at 4,000 chats/s (the relays:
  // 920–1,290), so a full collection comes half as often, and scavenges are a fifth shorter.
  '--no-allocation-site-pretenuring',
  // V8's own idle collections (the memory reducer) leave the old generation room for only 1.1×
  // what survived, so traffic after a lull brought a full collection within seconds: the server
  // collects in its lulls itself (app/idle-gc.ts, with `gc()`) and keeps the 10× above.
  '--no-memory-reducer',
  '--expose-gc',
] as const;
