package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/faultsmtp"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/app"
	"github.com/gmailsend/gmailsend/internal/lambdahandler"
)

type faultRow struct {
	name       string
	stage      faultsmtp.Stage
	fault      faultsmtp.Fault
	tls        string // "good" (default), "none", "wrong-host", "expired"
	pipelining bool
	chunking   bool // the server offers CHUNKING and PIPELINING, and the request has one recipient: BDAT in one flight
	code       gmailsend.Code
	beforeAuth bool // the failure comes before AUTH: no credential may have been sent at all
}

func faultRows() []faultRow {
	rows := []faultRow{
		{name: "421 greeting", stage: faultsmtp.Greeting, fault: faultsmtp.Fault{Reply: "421 4.3.2 Service not available"}, code: gmailsend.CodeSMTPUnavailable, beforeAuth: true},
		{name: "421 4.7.0 greeting", stage: faultsmtp.Greeting, fault: faultsmtp.Fault{Reply: "421 4.7.0 Try again later, closing connection."}, code: gmailsend.CodeRateLimited, beforeAuth: true},
		{name: "EHLO refused", stage: faultsmtp.EHLO, fault: faultsmtp.Fault{Reply: "554 5.7.1 go away"}, code: gmailsend.CodeSMTPRejected, beforeAuth: true},
		{name: "no STARTTLS", tls: "none", code: gmailsend.CodeTLSRequired, beforeAuth: true},
		{name: "STARTTLS refused", stage: faultsmtp.STARTTLS, fault: faultsmtp.Fault{Reply: "454 4.7.0 TLS not available"}, code: gmailsend.CodeTLSRequired, beforeAuth: true},
		{name: "certificate for wrong host", tls: "wrong-host", code: gmailsend.CodeTLSRequired, beforeAuth: true},
		{name: "expired certificate", tls: "expired", code: gmailsend.CodeTLSRequired, beforeAuth: true},
		{name: "535 on AUTH", stage: faultsmtp.AUTH, fault: faultsmtp.Fault{Reply: "535 5.7.8 Username and Password not accepted."}, code: gmailsend.CodeSMTPAuthFailed},
		{name: "534 on AUTH", stage: faultsmtp.AUTH, fault: faultsmtp.Fault{Reply: "534 5.7.9 Application-specific password required."}, code: gmailsend.CodeSMTPAuthFailed},
		{name: "454 on AUTH", stage: faultsmtp.AUTH, fault: faultsmtp.Fault{Reply: "454 4.7.0 Too many login attempts, please try again later."}, code: gmailsend.CodeSMTPUnavailable},
		{name: "451 on MAIL", stage: faultsmtp.MAIL, fault: faultsmtp.Fault{Reply: "451 4.3.0 Mail server temporarily rejected message."}, code: gmailsend.CodeSMTPUnavailable},
		{name: "550 on MAIL", stage: faultsmtp.MAIL, fault: faultsmtp.Fault{Reply: "550 5.7.0 Mail relay denied"}, code: gmailsend.CodeSMTPRejected},
		{name: "550 5.4.5 on MAIL", stage: faultsmtp.MAIL, fault: faultsmtp.Fault{Reply: "550 5.4.5 Daily user sending limit exceeded."}, code: gmailsend.CodeRateLimited},
		{name: "550 on second RCPT", stage: faultsmtp.RCPT, fault: faultsmtp.Fault{Reply: "550 5.1.1 No such user", Nth: 2}, code: gmailsend.CodeSMTPRejected},
		{name: "550 on second RCPT pipelined", stage: faultsmtp.RCPT, pipelining: true, fault: faultsmtp.Fault{Reply: "550 5.1.1 No such user", Nth: 2}, code: gmailsend.CodeSMTPRejected},
		{name: "552 after DATA", stage: faultsmtp.EndData, fault: faultsmtp.Fault{Reply: "552 5.3.4 Message too big"}, code: gmailsend.CodeSMTPRejected},
		{name: "554 after DATA", stage: faultsmtp.EndData, fault: faultsmtp.Fault{Reply: "554 5.7.0 Message rejected"}, code: gmailsend.CodeSMTPRejected},
		{name: "reset mid-DATA", stage: faultsmtp.Content, fault: faultsmtp.Fault{Reset: true}, code: gmailsend.CodeSMTPUnavailable},
		{name: "garbage greeting", stage: faultsmtp.Greeting, fault: faultsmtp.Fault{Reply: "HELLO THERE I AM NOT SMTP"}, code: gmailsend.CodeSMTPUnavailable, beforeAuth: true},
		{name: "overlong reply", stage: faultsmtp.MAIL, fault: faultsmtp.Fault{Reply: strings.Repeat("x", 200_000)}, code: gmailsend.CodeSMTPUnavailable},
	}
	for _, st := range []faultsmtp.Stage{faultsmtp.Greeting, faultsmtp.EHLO, faultsmtp.STARTTLS, faultsmtp.AUTH, faultsmtp.MAIL, faultsmtp.RCPT, faultsmtp.DATA, faultsmtp.Content, faultsmtp.EndData} {
		before := st == faultsmtp.Greeting || st == faultsmtp.EHLO || st == faultsmtp.STARTTLS
		rows = append(rows, faultRow{name: "silence at " + string(st), stage: st, fault: faultsmtp.Fault{Silence: true}, code: gmailsend.CodeTimeout, beforeAuth: before})
	}
	rows = append(rows, faultRow{name: "silence at MAIL pipelined", stage: faultsmtp.MAIL, pipelining: true, fault: faultsmtp.Fault{Silence: true}, code: gmailsend.CodeTimeout})
	rows = append(rows,
		faultRow{name: "BDAT refused", stage: faultsmtp.BDAT, chunking: true, fault: faultsmtp.Fault{Reply: "502 5.5.1 Unrecognized command"}, code: gmailsend.CodeSMTPRejected},
		faultRow{name: "552 after the BDAT chunk", stage: faultsmtp.EndData, chunking: true, fault: faultsmtp.Fault{Reply: "552 5.3.4 Message too big"}, code: gmailsend.CodeSMTPRejected},
		faultRow{name: "reset mid-BDAT chunk", stage: faultsmtp.Content, chunking: true, fault: faultsmtp.Fault{Reset: true}, code: gmailsend.CodeSMTPUnavailable},
		faultRow{name: "silence after the BDAT chunk", stage: faultsmtp.EndData, chunking: true, fault: faultsmtp.Fault{Silence: true}, code: gmailsend.CodeTimeout},
		faultRow{name: "550 on RCPT with BDAT", stage: faultsmtp.RCPT, chunking: true, fault: faultsmtp.Fault{Reply: "550 5.1.1 No such user"}, code: gmailsend.CodeSMTPRejected},
	)
	return rows
}

func openFDs() int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(entries)
}

// TestFaultMatrix ensures every misbehaviour of the server gives its code, status and retry decision, is reported to SQS, sends no credential where it must not, and leaks nothing.
func TestFaultMatrix(t *testing.T) {
	ca, err := devsmtp.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	caFile := t.TempDir() + "/ca.pem"
	if err := os.WriteFile(caFile, ca.PEM, 0o644); err != nil {
		t.Fatal(err)
	}
	leaf := map[string]devsmtp.LeafOptions{"good": {}, "wrong-host": {Hosts: []string{"smtp.example.net"}}, "expired": {Expired: true}}
	for _, row := range faultRows() {
		t.Run(row.name, func(t *testing.T) {
			runtime.GC()
			baseGoroutines, baseFDs := runtime.NumGoroutine(), openFDs()
			o := faultsmtp.Options{Pipelining: row.pipelining || row.chunking, Chunking: row.chunking, Faults: map[faultsmtp.Stage]faultsmtp.Fault{}}
			if row.stage != "" {
				o.Faults[row.stage] = row.fault
			}
			if row.tls != "none" {
				kind := row.tls
				if kind == "" {
					kind = "good"
				}
				cert, err := ca.Leaf(leaf[kind])
				if err != nil {
					t.Fatal(err)
				}
				o.TLS = tlsConfig(cert)
			}
			srv, err := faultsmtp.Start(o)
			if err != nil {
				t.Fatal(err)
			}
			cfg := app.Defaults()
			cfg.SMTPHost, cfg.SMTPPort, cfg.SMTPCAFile = "127.0.0.1", srv.Port, caFile
			cfg.SafetyMargin = 300 * time.Millisecond
			cfg.BatchReserve = 100 * time.Millisecond
			var logged bytes.Buffer // metrics_test.go's checks run on it
			a, err := app.Build(cfg, app.Parts{Log: io.MultiWriter(&logged, fixture.LogSink())})
			if err != nil {
				t.Fatal(err)
			}
			to := `["a@example.com","b@example.com"]`
			if row.chunking {
				to = `"a@example.com"` // one recipient: the one-flight BDAT path
			}
			req := fmt.Sprintf(`{"user":%q,"password":%q,"toEmail":%s,"subject":"s","message":"m"}`, fixture.User, fixture.Password, to)
			invoke := func(payload []byte) (any, error) {
				ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
				defer cancel()
				return a.Handler.Invoke(lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "fault"}), payload)
			}
			start := time.Now()
			_, err = invoke([]byte(req))
			if took := time.Since(start); took > 1500*time.Millisecond {
				t.Errorf("answered after the deadline: %v", took)
			}
			code := gmailsend.Code(functionErrorType(err))
			if code != row.code {
				t.Fatalf("code %s (%v), want %s", code, err, row.code)
			}
			t.Logf("%-32s → %-18s HTTP %d retry=%v", row.name, code, lambdahandler.HTTPStatus(code), code.Retryable())
			out, err := invoke(fixture.SQSEvent(t, req))
			if err != nil {
				t.Fatal(err)
			}
			if ids := failedIDs(t, out); len(ids) != 1 || ids[0] != "msg-0" {
				t.Fatalf("SQS batchItemFailures %v", ids)
			}
			if srv.PlaintextAuth() {
				t.Fatal("credentials were sent over plaintext")
			}
			if row.beforeAuth && (srv.Auths() != 0 || srv.Mails() != 0) {
				t.Fatalf("%d AUTH and %d MAIL commands reached a server that failed before authentication", srv.Auths(), srv.Mails())
			}
			if srv.Messages() != 0 {
				t.Fatal("a message was accepted")
			}
			checkSendMetrics(t, logged.String(), []string{string(row.code), string(row.code)}, []string{"", ""}, fixture.Password)
			a.Close()
			srv.Close()
			waitForBaseline(t, baseGoroutines, baseFDs)
		})
	}
}

// waitForBaseline fails if goroutines or file descriptors stay above what was there before.
func waitForBaseline(t *testing.T, goroutines, fds int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		g, f := runtime.NumGoroutine(), openFDs()
		if g <= goroutines && f <= fds {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			n := runtime.Stack(buf, true)
			t.Fatalf("leak: goroutines %d (was %d), fds %d (was %d)\n%s", g, goroutines, f, fds, buf[:n])
		}
		time.Sleep(20 * time.Millisecond)
	}
}
