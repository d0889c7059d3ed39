package smtp

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"github.com/go-gomail/gomail"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/faultsmtp"
)

// fixedMessage has a fixed Date, so its bytes are the same on every write.
func fixedMessage(body string, to ...string) *gomail.Message {
	m := testMessage(to...)
	m.SetHeader("Date", "Mon, 23 Nov 2026 19:00:00 +0000")
	m.SetBody("text/plain", body)
	return m
}

func bodyOf(msg []byte) []byte {
	_, body, _ := bytes.Cut(msg, []byte("\r\n\r\n"))
	return body
}

func bytesOf(t *testing.T, m *gomail.Message) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestChunkingOneRoundTripPerWarmMessage ensures a warm send to one recipient costs one round trip with BDAT and two with DATA, counted by the server and by the client alike.
func TestChunkingOneRoundTripPerWarmMessage(t *testing.T) {
	for _, c := range []struct {
		chunking bool
		want     int64
	}{{true, 1}, {false, 2}} {
		srv, cfg := startServer(t, devsmtp.Options{RTT: 5 * time.Millisecond})
		cfg.DisableChunking = !c.chunking
		client := New(cfg)
		ctx := ctxTimeout(t, 10*time.Second)
		if err := client.Send(ctx, goodCreds, testMessage("a@example.com")); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			before := srv.Stats().RoundTrips
			var rt RoundTrips
			if err := client.Send(WithRoundTrips(ctx, &rt), goodCreds, testMessage("a@example.com")); err != nil {
				t.Fatal(err)
			}
			seen := srv.Stats().RoundTrips - before
			if seen != c.want || int64(rt.Count()) != c.want {
				t.Fatalf("chunking=%v: warm send took %d round trips (client counted %d), want %d", c.chunking, seen, rt.Count(), c.want)
			}
		}
		if st := srv.Stats(); st.Connections != 1 || st.Messages != 4 {
			t.Fatalf("chunking=%v: %+v", c.chunking, st)
		}
		client.Close()
	}
}

// TestChunkingDeliversExactBytes ensures BDAT delivers the message byte for byte, in one chunk and across several (a message over chunkSize), with no dot-stuffing.
func TestChunkingDeliversExactBytes(t *testing.T) {
	srv, cfg := startServer(t, devsmtp.Options{})
	client := New(cfg)
	defer client.Close()
	small := ".a line starting with a dot\r\n.\r\nand a lone dot above"
	large := strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\r\n", 40_000) // 2.6 MB: three chunks
	for i, body := range []string{small, large, small} {
		m := fixedMessage(body, "a@example.com")
		if err := client.Send(ctxTimeout(t, 10*time.Second), goodCreds, m); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
		// gomail writes headers in map order, so the bodies are compared
		// byte for byte and the whole by length.
		got, want := srv.Messages()[i].Data, bytesOf(t, fixedMessage(body, "a@example.com"))
		if len(got) != len(want) || !bytes.Equal(bodyOf(got), bodyOf(want)) {
			t.Fatalf("send %d: delivered %d bytes, want the %d written", i, len(got), len(want))
		}
	}
	if st := srv.Stats(); st.Connections != 1 {
		t.Fatalf("%+v", st)
	}
}

// TestChunkingRefusedRecipientDeliversNothing ensures a refused recipient in a one-flight send fails the send, delivers nothing, is marked as not sent, and leaves the session usable.
func TestChunkingRefusedRecipientDeliversNothing(t *testing.T) {
	srv, cfg := startServer(t, devsmtp.Options{Reject: func(stage, arg string) error {
		if stage == "RCPT" && arg == "bad@example.com" {
			return errNoSuchUser
		}
		return nil
	}})
	client := New(cfg)
	defer client.Close()
	ctx := ctxTimeout(t, 5*time.Second)
	if err := client.Send(ctx, goodCreds, testMessage("good@example.com")); err != nil {
		t.Fatal(err)
	}
	err := client.Send(ctx, goodCreds, testMessage("bad@example.com"))
	e := wantCode(t, err, gmailsend.CodeSMTPRejected)
	if e.SMTP == nil || e.SMTP.Code != 550 || errors.Is(err, ErrContentSent) {
		t.Fatalf("%+v (content sent: %v)", e, errors.Is(err, ErrContentSent))
	}
	if err := client.Send(ctx, goodCreds, testMessage("good@example.com")); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.Messages != 2 || st.Connections != 1 {
		t.Fatalf("%+v", st)
	}
}

// TestChunkingAfterLongIdleUsesData ensures a session kept longer than oneFlightIdle is checked with its RSET reply before the message goes (two round trips), and a recent one is not.
func TestChunkingAfterLongIdleUsesData(t *testing.T) {
	srv, cfg := startServer(t, devsmtp.Options{RTT: 5 * time.Millisecond})
	client := New(cfg)
	defer client.Close()
	clock := &fakeClock{t: time.Now()}
	client.pool.now = clock.Now
	ctx := ctxTimeout(t, 10*time.Second)
	for i, idle := range []time.Duration{0, oneFlightIdle + time.Second, oneFlightIdle - time.Second} {
		clock.Advance(idle)
		before := srv.Stats().RoundTrips
		if err := client.Send(ctx, goodCreds, testMessage("a@example.com")); err != nil {
			t.Fatal(err)
		}
		got := srv.Stats().RoundTrips - before
		if want := []int64{got, 2, 1}[i]; got != want {
			t.Fatalf("after %v idle: %d round trips, want %d", idle, got, want)
		}
	}
}

// TestChunkingFaults ensures each BDAT failure gives its code and says truthfully whether the message may have been delivered.
func TestChunkingFaults(t *testing.T) {
	for _, c := range []struct {
		name        string
		stage       faultsmtp.Stage
		fault       faultsmtp.Fault
		code        gmailsend.Code
		contentSent bool // ErrContentSent: the server had the whole message
		unknown     bool // ErrDeliveryUnknown: and never said what it did with it
	}{
		// The chunk went with the command, and a refusal of the command
		// reads the same as a refusal of the chunk: content sent, refused.
		{"BDAT refused", faultsmtp.BDAT, faultsmtp.Fault{Reply: "502 5.5.1 Unrecognized command"}, gmailsend.CodeSMTPRejected, true, false},
		{"552 after the chunk", faultsmtp.EndData, faultsmtp.Fault{Reply: "552 5.3.4 Message too big"}, gmailsend.CodeSMTPRejected, true, false},
		{"451 after the chunk", faultsmtp.EndData, faultsmtp.Fault{Reply: "451 4.3.0 try again"}, gmailsend.CodeSMTPUnavailable, true, false},
		{"reset mid-chunk", faultsmtp.Content, faultsmtp.Fault{Reset: true}, gmailsend.CodeSMTPUnavailable, true, true},
		{"silence after the chunk", faultsmtp.EndData, faultsmtp.Fault{Silence: true}, gmailsend.CodeTimeout, true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv, cfg := startFaultServer(t, faultsmtp.Options{Pipelining: true, Chunking: true,
				Faults: map[faultsmtp.Stage]faultsmtp.Fault{c.stage: c.fault}})
			client := New(cfg)
			defer client.Close()
			err := client.Send(ctxTimeout(t, 1500*time.Millisecond), goodCreds, testMessage("a@example.com"))
			wantCode(t, err, c.code)
			if errors.Is(err, ErrContentSent) != c.contentSent || errors.Is(err, ErrDeliveryUnknown) != c.unknown {
				t.Fatalf("%v: content sent %v, unknown %v; want %v, %v", err,
					errors.Is(err, ErrContentSent), errors.Is(err, ErrDeliveryUnknown), c.contentSent, c.unknown)
			}
			if srv.Messages() != 0 {
				t.Fatal("a message was accepted")
			}
		})
	}
}

// TestChunkingKeptSessionRefusingRSETRedials ensures a kept session answering the one-flight RSET with Gmail's idle "421 4.4.2" is replaced and the message sent once.
func TestChunkingKeptSessionRefusingRSETRedials(t *testing.T) {
	srv, cfg := startFaultServer(t, faultsmtp.Options{Pipelining: true, Chunking: true, Faults: map[faultsmtp.Stage]faultsmtp.Fault{
		faultsmtp.RSET: {Reply: "421 4.4.2 mx.google.com Timeout - closing connection."},
	}})
	client := New(cfg)
	defer client.Close()
	for i := 0; i < 3; i++ {
		if err := client.Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com")); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if srv.Messages() != 3 {
		t.Fatalf("%d messages", srv.Messages())
	}
}

var errNoSuchUser = &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "The email account that you tried to reach does not exist."}

// startFaultServer runs a scripted server with STARTTLS on a certificate
// the returned configuration trusts.
func startFaultServer(t *testing.T, o faultsmtp.Options) (*faultsmtp.Server, Config) {
	t.Helper()
	ca, err := devsmtp.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := ca.Leaf(devsmtp.LeafOptions{})
	if err != nil {
		t.Fatal(err)
	}
	o.TLS = tlsFor(leaf)
	srv, err := faultsmtp.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	cfg := DefaultConfig()
	cfg.Host, cfg.Port, cfg.RootCAs = "127.0.0.1", srv.Port, ca.Pool()
	cfg.SafetyMargin = 300 * time.Millisecond
	return srv, cfg
}

// TestChunkingSessionClosedAsTheSendGoesOut ensures a kept session the server closes right after its last reply, racing the next one-flight send, is replaced and the message delivered once: a flight the server's TCP stack never acknowledged cannot have been delivered.
func TestChunkingSessionClosedAsTheSendGoesOut(t *testing.T) {
	srv, cfg := startServer(t, devsmtp.Options{DropAfter: 1})
	client := New(cfg)
	defer client.Close()
	const sends = 30
	for i := 0; i < sends; i++ {
		if err := client.Send(ctxTimeout(t, 5*time.Second), goodCreds, testMessage("a@example.com")); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	if st := srv.Stats(); st.Messages != sends || st.Connections != sends {
		t.Fatalf("%+v", st)
	}
}
