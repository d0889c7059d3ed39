package main

import (
	"context"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/devstack"
	"github.com/gmailsend/gmailsend/dev/mailpit"
)

// mailpitSeen is the set of messages Mailpit holds before an invocation
// (nil without Mailpit), so the report shows only what it delivered.
func (l *local) mailpitSeen(ctx context.Context) map[string]bool {
	if l.stack.Mailpit == nil {
		return nil
	}
	ids, _ := l.stack.Mailpit.IDs(ctx)
	seen := map[string]bool{}
	for _, id := range ids {
		seen[id] = true
	}
	return seen
}

// mailpitReport describes the messages Mailpit received since seen: the
// decoded From, To and Subject, the parts, and the links a browser opens.
// Mailpit stores a message just after its 250, so the list is read until
// it stops growing (at most 2 s).
func (l *local) mailpitReport(ctx context.Context, seen map[string]bool, heading string) string {
	mp := l.stack.Mailpit
	var fresh []string
	for deadline, last := time.Now().Add(2*time.Second), -1; time.Now().Before(deadline); time.Sleep(150 * time.Millisecond) {
		ids, err := mp.IDs(ctx)
		if err != nil {
			return fmt.Sprintf("Mailpit: %v\n", err)
		}
		fresh = fresh[:0]
		for _, id := range ids {
			if !seen[id] {
				fresh = append(fresh, id)
			}
		}
		if len(fresh) > 0 && len(fresh) == last {
			break
		}
		last = len(fresh)
	}
	if len(fresh) == 0 {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, heading, len(fresh))
	for i := len(fresh) - 1; i >= 0; i-- { // oldest first
		m, err := mp.Message(ctx, fresh[i])
		if err != nil {
			fmt.Fprintf(&b, "  %v\n", err)
			continue
		}
		var to []string
		for _, a := range m.To {
			to = append(to, address(a))
		}
		fmt.Fprintf(&b, "  From:     %s\n  To:       %s\n  Subject:  %s\n", address(m.From), strings.Join(to, ", "), m.Subject)
		b.WriteString(mp.Links(m))
	}
	return b.String()
}

// address shows a decoded address as people write it (mail.Address's
// String would encode a Hangul name again).
func address(a *mail.Address) string {
	switch {
	case a == nil:
		return ""
	case a.Name == "":
		return a.Address
	}
	return a.Name + " <" + a.Address + ">"
}

// serveMailpit is `make mailpit`: Mailpit alone, on the ports its users
// know (SMTP 1025 on every interface, so SAM's container reaches it as
// host.docker.internal; web 8025 on loopback), with a certificate for
// host.docker.internal from a CA written to <dir>/mailpit/ca.pem, until
// Ctrl-C. events/sam-local/env.json points sam local invoke at it.
func serveMailpit(ctx context.Context, o options) error {
	if o.mailpit == "" {
		return fmt.Errorf("-mailpit BIN is required (make mailpit builds it)")
	}
	dir, err := filepath.Abs(filepath.Join(o.dir, "mailpit"))
	if err != nil {
		return err
	}
	ca, err := devsmtp.NewCA()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	caFile := filepath.Join(dir, "ca.pem")
	if err := os.WriteFile(caFile, ca.PEM, 0o644); err != nil {
		return err
	}
	mp, err := mailpit.Start(ctx, mailpit.Options{Binary: o.mailpit, Dir: dir, CA: ca, Users: devstack.Accounts,
		SMTPAddr: "0.0.0.0:1025", HTTPAddr: "127.0.0.1:8025", Hosts: []string{"host.docker.internal"}})
	if err != nil {
		return err
	}
	defer mp.Close()
	fmt.Fprintf(os.Stderr, "Mailpit: SMTP on :1025 (STARTTLS required, AUTH with the local accounts; certificate for localhost and host.docker.internal from %s)\n", shown(caFile))
	fmt.Fprintf(os.Stderr, "its API on %s (messages: %s/api/v1/messages; one message's HTML: %s/view/<ID>.html); Ctrl-C stops it\n", mp.URL, mp.URL, mp.URL)
	fmt.Fprintf(os.Stderr, "sam local invoke against it (needs Docker), in another terminal:\n  %s\n", strings.Join(samLocalLines, "\n  "))
	<-ctx.Done()
	fmt.Fprintln(os.Stderr, "\nstopped")
	return nil
}

// samLocalLines are docs/deploy.md's sam local invoke against `make mailpit`
// (TestSamLocalFilesAgree holds the two together): SAM mounts the build
// folder at /var/task, so the CA is copied there for the run and removed
// after it.
var samLocalLines = []string{
	"sam build",
	"cp .local/mailpit/ca.pem .aws-sam/build/GmailSendFunction/mailpit-ca.pem",
	"sam local invoke GmailSendFunction --env-vars events/sam-local/env.json -e events/direct-sam-local.json --add-host host.docker.internal:host-gateway",
	"rm .aws-sam/build/GmailSendFunction/mailpit-ca.pem",
}
