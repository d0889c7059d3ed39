package smtp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-gomail/gomail"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/postfix"
)

// The tests in this file run the send path against Postfix, a real MTA
// (dev/postfix): what suits only the development server fails here.

var postfixCreds = Credentials{User: postfix.User, Password: postfix.Password}

func postfixConfig(srv *postfix.Server) Config {
	cfg := DefaultConfig()
	cfg.Host, cfg.Port, cfg.RootCAs = srv.Host, srv.Port, srv.CA.Pool()
	cfg.IdleTimeout = time.Minute
	return cfg
}

// bulkyMessage is about the benchmark's size (150 KB of ASCII, cheap to encode): long enough that
// Postfix answers the envelope while the chunk is still arriving, and the
// verdict in a second write.
func bulkyMessage() *gomail.Message {
	m := testMessage("kim@example.com")
	m.SetBody("text/plain", strings.Repeat("Your order has shipped; it should arrive within three days.\r\n", 2500))
	return m
}

// delayedACKStall is Linux's shortest delayed-ACK timer (40 ms) less a
// margin: a reply that waited for it took at least this long.
const delayedACKStall = 35 * time.Millisecond

// TestPostfixNoDelayedACKStall ensures sends to Postfix do not wait for the client's delayed ACK (quickack.go): Postfix answers in two writes where the client has nothing more to send, Nagle holds the second until the first is acknowledged, and Linux delays that acknowledgement by 40 ms. Warm one-flight (BDAT) sends meet it in the replies to the flight (about half stalled), every new session in the replies after STARTTLS (TLS 1.3 session tickets, then the EHLO reply: most stalled).
//
// The statistic is the share of sends that took at least 35 ms. Before the
// fix it was 13 to 26 of 30 warm sends and 8 of 10 new sessions; a send
// slowed by a busy machine is slow by a varying amount and rarely, so up to
// a quarter is tolerated, and a failed batch is measured once more before
// the test fails.
func TestPostfixNoDelayedACKStall(t *testing.T) {
	srv := postfix.StartTest(t, postfix.Options{Discard: true})
	warm := New(postfixConfig(srv))
	defer warm.Close()
	if err := warm.Send(ctxTimeout(t, 10*time.Second), postfixCreds, bulkyMessage()); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		n    int
		send func(*RoundTrips) error
	}{
		{"warm one-flight send", 40, func(rt *RoundTrips) error {
			err := warm.Send(WithRoundTrips(ctxTimeout(t, 10*time.Second), rt), postfixCreds, bulkyMessage())
			if err == nil && rt.Count() != 1 {
				err = fmt.Errorf("a warm send took %d round trips, want 1 (one flight with BDAT)", rt.Count())
			}
			return err
		}},
		{"send on a new session", 20, func(rt *RoundTrips) error {
			c := New(postfixConfig(srv))
			defer c.Close()
			return c.Send(WithRoundTrips(ctxTimeout(t, 10*time.Second), rt), postfixCreds, testMessage("kim@example.com"))
		}},
	} {
		var batches []string
		stalled := 0
		for attempt := 0; attempt < 2 && (attempt == 0 || stalled > c.n/4); attempt++ {
			stalled = 0
			var took []string
			for i := 0; i < c.n; i++ {
				var rt RoundTrips
				t0 := time.Now()
				if err := c.send(&rt); err != nil {
					t.Fatalf("%s: %v", c.name, err)
				}
				d := time.Since(t0)
				if d >= delayedACKStall {
					stalled++
				}
				took = append(took, d.Round(100*time.Microsecond).String())
			}
			batches = append(batches, fmt.Sprintf("%d stalled: %s", stalled, strings.Join(took, " ")))
		}
		if stalled > c.n/4 {
			t.Errorf("%s: more than %d of %d took %v or more, twice: the client's delayed ACK is holding Postfix's reply back\n%s",
				c.name, c.n/4, c.n, delayedACKStall, strings.Join(batches, "\n"))
			continue
		}
		t.Logf("%s: %s", c.name, batches[len(batches)-1])
	}
}

// TestPostfixRoundTrips ensures the send path's round trips hold on Postfix as on the development server (a warm send costs one round trip with CHUNKING, two with pipelined DATA), that both deliver the message intact with its Hangul subject and display name, and that nothing about the credentials crosses the connection before STARTTLS.
func TestPostfixRoundTrips(t *testing.T) {
	srv := postfix.StartTest(t, postfix.Options{})
	proxy := startRecorder(t, srv.Addr())
	delivered := 0
	for _, c := range []struct {
		chunking bool
		warm     int
	}{{true, 1}, {false, 2}} {
		cfg := postfixConfig(srv)
		cfg.Host, cfg.Port = "127.0.0.1", proxy.port
		cfg.DisableChunking = !c.chunking
		client := New(cfg)
		for i := 0; i < 3; i++ {
			var rt RoundTrips
			m := hangulMessage(i)
			if err := client.Send(WithRoundTrips(ctxTimeout(t, 10*time.Second), &rt), postfixCreds, m); err != nil {
				t.Fatalf("chunking=%v, send %d: %v", c.chunking, i, err)
			}
			if i > 0 && rt.Count() != c.warm {
				t.Fatalf("chunking=%v: warm send took %d round trips, want %d", c.chunking, rt.Count(), c.warm)
			}
		}
		client.Close()
		delivered += 3
		msgs, err := srv.AwaitMessages(ctxTimeout(t, 20*time.Second), delivered)
		if err != nil {
			t.Fatal(err)
		}
		for i, raw := range inSendOrder(t, msgs[delivered-3:]) {
			checkHangulMessage(t, raw, i)
		}
	}
	sent := proxy.clientBytes()
	cleartext, _, found := bytes.Cut(sent, []byte("STARTTLS\r\n"))
	if !found || bytes.Contains(bytes.ToUpper(cleartext), []byte("AUTH")) {
		t.Fatalf("before STARTTLS the client said %q", cleartext)
	}
	plain := base64.StdEncoding.EncodeToString([]byte("\x00" + postfix.User + "\x00" + postfix.Password))
	for _, secret := range []string{postfix.Password, plain, base64.StdEncoding.EncodeToString([]byte(postfix.Password))} {
		if bytes.Contains(sent, []byte(secret)) {
			t.Fatalf("the credentials crossed the connection in the clear (%q)", secret)
		}
	}
}

// TestPostfixRefusedRecipient ensures a recipient Postfix refuses (550 5.1.1, unknown user) fails the send as smtp_rejected with the server's own reply, nothing sent, on both send paths, and the kept session then delivers the next message; a wrong password is smtp_auth_failed.
func TestPostfixRefusedRecipient(t *testing.T) {
	srv := postfix.StartTest(t, postfix.Options{Discard: true})
	for _, chunking := range []bool{true, false} {
		cfg := postfixConfig(srv)
		cfg.DisableChunking = !chunking
		c := New(cfg)
		ctx := ctxTimeout(t, 10*time.Second)
		for i, to := range []string{"kim@example.com", postfix.RefusedRecipient, "kim@example.com"} {
			var rt RoundTrips
			err := c.Send(WithRoundTrips(ctx, &rt), postfixCreds, testMessage(to))
			if to != postfix.RefusedRecipient {
				if err != nil {
					t.Fatalf("chunking=%v, send %d: %v", chunking, i, err)
				}
				continue
			}
			e := wantCode(t, err, gmailsend.CodeSMTPRejected)
			if e.SMTP == nil || e.SMTP.Code != 550 || e.SMTP.EnhancedCode != "5.1.1" || errors.Is(err, ErrContentSent) {
				t.Fatalf("chunking=%v: %+v %+v (content sent: %v)", chunking, e, e.SMTP, errors.Is(err, ErrContentSent))
			}
			if !strings.Contains(e.Message, postfix.RefusedRecipient) {
				t.Fatalf("chunking=%v: the error does not name the recipient: %q", chunking, e.Message)
			}
		}
		c.Close()
	}
	c := New(postfixConfig(srv))
	defer c.Close()
	err := c.Send(ctxTimeout(t, 10*time.Second), Credentials{User: postfix.User, Password: "wrongwrongwrongw"}, testMessage("kim@example.com"))
	if e := wantCode(t, err, gmailsend.CodeSMTPAuthFailed); e.SMTP == nil || e.SMTP.Code != 535 {
		t.Fatalf("%+v", e)
	}
}

// hangulMessage is the i-th message of TestPostfixRoundTrips: Hangul in the
// display name, the subject and both parts.
func hangulMessage(i int) *gomail.Message {
	m := gomail.NewMessage()
	m.SetHeader("From", m.FormatAddress(postfix.User, "홍길동"))
	m.SetHeader("To", m.FormatAddress("kim@example.com", "김철수"))
	m.SetHeader("Subject", "회의 안내 "+string(rune('0'+i)))
	m.SetBody("text/plain", "안녕하세요, 내일 10시 회의에서 뵙겠습니다.")
	m.AddAlternative("text/html", "<p>안녕하세요, 내일 <b>10시</b> 회의에서 뵙겠습니다.</p>")
	return m
}

// inSendOrder puts hangulMessage(0…n-1) as delivered back in send order
// by their subjects' numbers: Postfix's local delivery runs in parallel,
// so the mailbox's order is not the order they were sent in. A number
// missing or seen twice fails.
func inSendOrder(t *testing.T, msgs [][]byte) [][]byte {
	t.Helper()
	out := make([][]byte, len(msgs))
	for _, raw := range msgs {
		msg, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		var dec mime.WordDecoder
		subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
		i := int(subject[len(subject)-1] - '0')
		if i < 0 || i >= len(out) || out[i] != nil {
			t.Fatalf("subjects of the delivered messages are not 0…%d once each: %q", len(out)-1, subject)
		}
		out[i] = raw
	}
	return out
}

func checkHangulMessage(t *testing.T, raw []byte, i int) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var dec mime.WordDecoder
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "홍길동" || from[0].Address != postfix.User || subject != "회의 안내 "+string(rune('0'+i)) {
		t.Fatalf("message %d arrived as From %v (%v), Subject %q", i, from, err, subject)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var bodies []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p) // multipart decodes quoted-printable
		bodies = append(bodies, string(b))
	}
	if len(bodies) != 2 || bodies[0] != "안녕하세요, 내일 10시 회의에서 뵙겠습니다." || !strings.Contains(bodies[1], "<b>10시</b>") {
		t.Fatalf("message %d arrived with parts %q", i, bodies)
	}
}

// recorder is a TCP proxy that keeps every byte the client sent.
type recorder struct {
	port int
	mu   sync.Mutex
	sent bytes.Buffer
}

func startRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{port: ln.Addr().(*net.TCPAddr).Port}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				client.Close()
				continue
			}
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, _ = io.Copy(io.MultiWriter(server, r), client)
				server.Close()
			}()
			go func() {
				defer wg.Done()
				_, _ = io.Copy(client, server)
				client.Close()
			}()
		}
	}()
	return r
}

func (r *recorder) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.sent.Write(p)
}

func (r *recorder) clientBytes() []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return bytes.Clone(r.sent.Bytes())
}
