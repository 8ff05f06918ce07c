// The LiveKit side of Confer's forwarding baseline (bench/livekit-forwarding.ts): one publisher
// (synthetic VP8 at 30 fps with a key frame a second, and Opus-sized audio every 20 ms) and N
// subscribers on pion through LiveKit's Go SDK, as `lk load-test` runs them: subscribers read
// and count RTP without decoding it, so the tester stays light. Prints one JSON line on stdout;
// WINDOW_START and WINDOW_END on stderr bracket the measured window, so the caller can read the
// server's CPU over exactly that time.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
	"github.com/pion/webrtc/v4/pkg/media"
)

func main() {
	url := flag.String("url", "ws://127.0.0.1:7880", "LiveKit server")
	key := flag.String("key", "", "API key")
	secret := flag.String("secret", "", "API secret")
	subscribers := flag.Int("subscribers", 10, "subscribers of the one publisher")
	seconds := flag.Int("seconds", 20, "measured window")
	kbps := flag.Int("kbps", 1100, "video bitrate")
	flag.Parse()
	if *key == "" || *secret == "" || *subscribers < 1 || *seconds < 1 || *kbps < 10 {
		fmt.Fprintln(os.Stderr, "usage: -key K -secret S [-subscribers N≥1] [-seconds S≥1] [-kbps ≥10]")
		os.Exit(2)
	}
	// pion and the SDK log every state change; the caller reads only the markers.
	lksdk.SetLogger(logger.GetDiscardLogger())
	room := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	info := func(identity string) lksdk.ConnectInfo {
		return lksdk.ConnectInfo{APIKey: *key, APISecret: *secret, RoomName: room, ParticipantIdentity: identity}
	}

	var packets, bytes, failed atomic.Int64
	var counting atomic.Bool
	count := &lksdk.RoomCallback{ParticipantCallback: lksdk.ParticipantCallback{
		OnTrackSubscribed: func(track *webrtc.TrackRemote, _ *lksdk.RemoteTrackPublication, _ *lksdk.RemoteParticipant) {
			go func() {
				buf := make([]byte, 1500)
				for {
					n, _, err := track.Read(buf)
					if err != nil {
						return
					}
					if counting.Load() {
						packets.Add(1)
						bytes.Add(int64(n))
					}
				}
			}()
		},
	}}
	var rooms []*lksdk.Room
	var mu sync.Mutex
	var joins sync.WaitGroup
	for i := 0; i < *subscribers; i++ {
		joins.Add(1)
		go func(i int) {
			defer joins.Done()
			r, err := lksdk.ConnectToRoom(*url, info(fmt.Sprintf("subscriber-%d", i)), count, lksdk.WithAutoSubscribe(true))
			if err != nil {
				failed.Add(1)
				fmt.Fprintln(os.Stderr, "subscriber", i, "could not join:", err)
				return
			}
			mu.Lock()
			rooms = append(rooms, r)
			mu.Unlock()
		}(i)
		time.Sleep(20 * time.Millisecond) // a join rate the server takes without queueing
	}
	joins.Wait()

	publisher, err := lksdk.ConnectToRoom(*url, info("publisher"), &lksdk.RoomCallback{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "publisher could not join:", err)
		os.Exit(1)
	}
	video, _ := lksdk.NewLocalSampleTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000})
	audio, _ := lksdk.NewLocalSampleTrack(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2})
	for _, t := range []struct {
		track *lksdk.LocalSampleTrack
		opts  *lksdk.TrackPublicationOptions
	}{
		{video, &lksdk.TrackPublicationOptions{Name: "camera", VideoWidth: 1280, VideoHeight: 720}},
		{audio, &lksdk.TrackPublicationOptions{Name: "microphone"}},
	} {
		if _, err := publisher.LocalParticipant.PublishTrack(t.track, t.opts); err != nil {
			fmt.Fprintln(os.Stderr, "could not publish:", err)
			os.Exit(1)
		}
	}
	stop := make(chan struct{})
	go every(time.Second/30, stop, func(i int) {
		frame := make([]byte, *kbps*1000/8/30)
		for j := range frame {
			frame[j] = byte(i + j)
		}
		if i%30 == 0 { // a VP8 key frame's header (P bit clear, start code, 1280×720): SFUs start subscribers on one
			copy(frame, []byte{0x10, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x00, 0x05, 0xd0, 0x02})
		} else {
			frame[0] = 0x11
		}
		_ = video.WriteSample(media.Sample{Data: frame, Duration: time.Second / 30}, nil)
	})
	silence := make([]byte, 80)
	go every(20*time.Millisecond, stop, func(int) {
		_ = audio.WriteSample(media.Sample{Data: silence, Duration: 20 * time.Millisecond}, nil)
	})

	time.Sleep(5 * time.Second) // subscriptions settle and a key frame reaches everyone
	fmt.Fprintln(os.Stderr, "WINDOW_START")
	counting.Store(true)
	start := time.Now()
	time.Sleep(time.Duration(*seconds) * time.Second)
	counting.Store(false)
	elapsed := time.Since(start).Seconds()
	fmt.Fprintln(os.Stderr, "WINDOW_END")
	close(stop)

	out, _ := json.Marshal(map[string]any{
		"subscribersJoined": len(rooms),
		"subscribersFailed": failed.Load(),
		"seconds":           elapsed,
		"packetsReceived":   packets.Load(),
		"packetsPerSecond":  float64(packets.Load()) / elapsed,
		"kbpsReceived":      float64(bytes.Load()) * 8 / 1000 / elapsed,
	})
	fmt.Println(string(out))
	publisher.Disconnect()
	for _, r := range rooms {
		r.Disconnect()
	}
}

func every(period time.Duration, stop <-chan struct{}, tick func(int)) {
	t := time.NewTicker(period)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-t.C:
			tick(i)
		}
	}
}
