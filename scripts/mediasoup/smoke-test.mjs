// Smoke test of a mediasoup worker: create a worker, a router (Opus + VP8), a
// WebRtcTransport and a PlainTransport on 127.0.0.1, then close everything.
//
//   MEDIASOUP_WORKER_BIN=$(scripts/mediasoup/build-worker.sh) node scripts/mediasoup/smoke-test.mjs
//
// `mediasoup` is resolved from the importing directory's node_modules (the
// project's, once installed). Exits non-zero on any failure.
import mediasoup from 'mediasoup';

const timeout = setTimeout(() => {
  console.error('smoke test: timed out');
  process.exit(1);
}, 20_000);

const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 40000, rtcMaxPort: 40100 });
worker.on('died', (error) => {
  console.error('smoke test: worker died', error);
  process.exit(1);
});
console.log(`worker pid ${worker.pid}, mediasoup ${mediasoup.version}, bin ${mediasoup.workerBin}`);

const router = await worker.createRouter({
  mediaCodecs: [
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  ],
});
const codecs = router.rtpCapabilities.codecs.map((c) => c.mimeType);
if (!codecs.includes('audio/opus') || !codecs.includes('video/VP8')) {
  throw new Error(`unexpected router codecs: ${codecs}`);
}

const webRtcTransport = await router.createWebRtcTransport({
  listenIps: [{ ip: '127.0.0.1' }],
  enableUdp: true,
  enableTcp: true,
  preferUdp: true,
});
const candidates = webRtcTransport.iceCandidates.map((c) => `${c.protocol}:${c.ip}:${c.port}`);
if (candidates.length === 0) throw new Error('WebRtcTransport has no ICE candidates');
if (!webRtcTransport.dtlsParameters.fingerprints.length) throw new Error('no DTLS fingerprints');

const plainTransport = await router.createPlainTransport({
  listenIp: { ip: '127.0.0.1' },
  rtcpMux: true,
  comedia: true,
});
if (plainTransport.tuple.localIp !== '127.0.0.1' || !plainTransport.tuple.localPort) {
  throw new Error(`unexpected PlainTransport tuple ${JSON.stringify(plainTransport.tuple)}`);
}

const producer = await plainTransport.produce({
  kind: 'video',
  rtpParameters: {
    codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
    encodings: [{ ssrc: 1111 }],
  },
});

const usage = await worker.getResourceUsage();
console.log(`WebRtcTransport ${webRtcTransport.id} ICE [${candidates.join(', ')}]`);
console.log(
  `PlainTransport ${plainTransport.id} on ${plainTransport.tuple.localIp}:${plainTransport.tuple.localPort}, producer ${producer.id}`,
);
console.log(`worker ru_maxrss ${usage.ru_maxrss} KB`);

producer.close();
webRtcTransport.close();
plainTransport.close();
router.close();
worker.close();
if (!worker.closed) throw new Error('worker not closed');
clearTimeout(timeout);
console.log('smoke test: OK');
