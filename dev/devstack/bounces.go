package devstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
)

// IsBounceSchedule reports whether payload is the bounce reader's
// scheduled event (events/scheduled-bounces.json): an EventBridge
// "Scheduled Event" from a rule whose name ends in "bounces".
func IsBounceSchedule(payload []byte) bool {
	var ev struct {
		DetailType string   `json:"detail-type"`
		Source     string   `json:"source"`
		Resources  []string `json:"resources"`
	}
	if json.Unmarshal(payload, &ev) != nil || ev.DetailType != "Scheduled Event" || ev.Source != "aws.events" {
		return false
	}
	for _, r := range ev.Resources {
		if strings.HasSuffix(r, "bounces") {
			return true
		}
	}
	return false
}

// BounceDemoRequest is what the demo sends: a stored credential's mail to
// an address at the development SMTP server's bounce domain.
const BounceDemoRequest = `{"credential": "support-desk", "toEmail": "nobody@bounce.test", "subject": "회의 안내", "message": "<p>내일 10시 회의에서 뵙겠습니다.</p>"}`

// RunBounceDemo is `make run EVENT=events/scheduled-bounces.json`: with
// both real bootstraps, the stand-ins, a development IMAP server and the
// table on dynalite, it sends BounceDemoRequest, lets the bounce arrive in
// the sender's IMAP INBOX, invokes the bounce reader with payload, shows
// the record turned bounced, and sends again to show the refusal. The
// output has make run's sections (log, response, delivered), then what
// happened.
func RunBounceDemo(ctx context.Context, root, dir, name string, payload []byte, timeout time.Duration, out io.Writer) error {
	ms, err := StartMessageStore(ctx, root)
	if err != nil {
		return fmt.Errorf("the bounce reader needs the message table (dynalite: node and `npm ci` in dev/dynalite): %w", err)
	}
	defer ms.Close()
	inbox, err := StartBounceInbox() // bounce_inbox.go
	if err != nil {
		return err
	}
	defer inbox.Close()
	imap := inbox.IMAP
	st, err := Start(Options{Dir: dir, Mail: inbox.Mail})
	if err != nil {
		return err
	}
	defer st.Close()
	readerEnv, err := inbox.ReaderEnv(st, dir)
	if err != nil {
		return err
	}
	env := append(st.Env(), ms.Env()...)

	fmt.Fprintf(os.Stderr, "building both bootstraps for this machine…\n")
	sendBin, err := BuildBootstrapWithProgress(root, dir, os.Stderr)
	if err != nil {
		return err
	}
	readBin, err := BuildBounceReader(root, dir, os.Stderr)
	if err != nil {
		return err
	}
	logs := new(lockedBuffer)
	send, err := runtimeapi.StartFunction(ctx, sendBin, env, logs, logs)
	if err != nil {
		return err
	}
	defer send.Stop()
	reader, err := runtimeapi.StartFunction(ctx, readBin, append(env, readerEnv...), logs, logs)
	if err != nil {
		return err
	}
	defer reader.Stop()

	first, err := send.Invoke(ctx, []byte(BounceDemoRequest), timeout)
	if err != nil {
		return err
	}
	var sent struct{ Status, ID string }
	if first.Err != nil || json.Unmarshal(first.Payload, &sent) != nil || sent.Status != "sent" {
		return fmt.Errorf("the first send failed: %v %s\n%s", first.Err, first.Payload, logs)
	}
	delivered := st.SMTP.Messages()
	inInbox, _ := imap.Count("support@gmail.com", "INBOX")
	run, err := reader.Invoke(ctx, payload, timeout)
	if err != nil {
		return err
	}
	rec, err := dynamostore.NewWithAPI(LocalTable, dynalite.NewClient(ms.Endpoint())).Get(ctx, sent.ID)
	if err != nil {
		return err
	}
	again, err := send.Invoke(ctx, []byte(BounceDemoRequest), timeout)
	if err != nil {
		return err
	}
	send.Stop()
	reader.Stop()

	fmt.Fprintf(out, "== function log\n%s", indent(logs.String()))
	fmt.Fprintf(out, "\n== response to %s (%v)\n", name, run.Duration.Round(time.Millisecond))
	if run.Err != nil {
		fmt.Fprintf(out, "function error %s: %s\n", run.Err.Type, run.Err.Message)
	} else {
		fmt.Fprintln(out, indentJSON(run.Payload))
	}
	fmt.Fprintf(out, "\n== %d message(s) delivered to the development SMTP server\n", len(delivered))
	for i, m := range delivered {
		s, err := Summarize(m)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "[%d]\n%s", i+1, s)
	}
	fmt.Fprintf(out, "\n== the bounce loop\n")
	fmt.Fprintf(out, "  1. sent to nobody@%s as support@gmail.com (record %s)\n", devsmtp.BounceDomain, sent.ID)
	fmt.Fprintf(out, "  2. the notification arrived: support@gmail.com's IMAP INBOX holds %d (Delivery Status Notification (Failure), 5.1.1)\n", inInbox)
	fmt.Fprintf(out, "  3. the bounce reader read it (response above)\n")
	fmt.Fprintf(out, "  4. record %s is now %q\n", rec.ID, rec.Status)
	if again.Err != nil {
		fmt.Fprintf(out, "  5. the next send to nobody@%s: function error %s: %s\n", devsmtp.BounceDomain, again.Err.Type, again.Err.Message)
	} else {
		fmt.Fprintf(out, "  5. the next send to nobody@%s was NOT refused: %s\n", devsmtp.BounceDomain, again.Payload)
	}
	if run.Err != nil || rec.Status != "bounced" || again.Err == nil || again.Err.Type != "recipient_suppressed" {
		return fmt.Errorf("the bounce loop did not close")
	}
	return nil
}

func indent(s string) string {
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ") + "\n"
}

func indentJSON(b []byte) string {
	var buf bytes.Buffer
	if json.Indent(&buf, b, "", "  ") != nil {
		return string(b)
	}
	return buf.String()
}

// lockedBuffer collects both functions' log lines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
