package devstack

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/devsmtp"
	"github.com/gmailsend/gmailsend/dev/runtimeapi"
)

// BounceInbox is the local accounts' IMAP INBOXes, where the development
// SMTP server drops a Gmail-style notification for every message to the
// bounce domain, so the real bounce reader has something to read. It has
// a CA of its own: the SMTP server's is made later, by Start.
type BounceInbox struct {
	IMAP *devimap.Server
	ca   *devsmtp.CA
	// stack answers XOAUTH2 with its OAuth server's tokens once started;
	// set by ReaderEnv while IMAP sessions may already read it.
	stack atomic.Pointer[Stack]
}

// StartBounceInbox starts the IMAP server; its Mail goes into
// Options.Mail so the SMTP server delivers the notifications to it.
func StartBounceInbox() (*BounceInbox, error) {
	ca, err := devsmtp.NewCA()
	if err != nil {
		return nil, err
	}
	b := &BounceInbox{ca: ca}
	users := map[string]string{OAuthUser: "unused-oauth-password"}
	for k, v := range Accounts {
		users[k] = v
	}
	tokenStatus := func(u, t string) string {
		st := b.stack.Load()
		if st == nil {
			return "invalid_grant"
		}
		return st.OAuth.TokenStatus(u, t)
	}
	if b.IMAP, err = devimap.StartLocal(devimap.Options{Users: users, TokenStatus: tokenStatus}, ca); err != nil {
		return nil, err
	}
	return b, nil
}

// Mail makes the SMTP server deliver bounce notifications here.
func (b *BounceInbox) Mail(o *devsmtp.Options) { o.Bounces = b.IMAP }

// ReaderEnv is what the bounce reader needs on top of the send function's
// environment: one CA file for both servers (written into dir), this IMAP
// server, and the sample credentials whose mailboxes it reads. Later
// entries win, so it goes last.
func (b *BounceInbox) ReaderEnv(st *Stack, dir string) ([]string, error) {
	b.stack.Store(st)
	smtpCA, err := os.ReadFile(st.CAFile)
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(dir, "ca-smtp-imap.pem")
	if err := os.WriteFile(caFile, append(smtpCA, b.ca.PEM...), 0o644); err != nil {
		return nil, err
	}
	return []string{"SMTP_CA_FILE=" + caFile, "IMAP_HOST=127.0.0.1", "IMAP_PORT=" + strconv.Itoa(b.IMAP.Port),
		"BOUNCE_CREDENTIALS=support-desk,oauth-desk"}, nil
}

// Close stops the IMAP server.
func (b *BounceInbox) Close() { b.IMAP.Close() }

// BuildBounceReader builds functions/bounces for this machine into
// dir/bounces/bootstrap.
func BuildBounceReader(root, dir string, progress io.Writer) (string, error) {
	bin := filepath.Join(dir, "bounces", "bootstrap")
	return bin, build(root, "./functions/bounces", bin, progress)
}

// BounceSchedulePayload is the scheduled event the template's rule sends
// the bounce reader (events/scheduled-bounces.json, minus its sample ids).
const BounceSchedulePayload = `{"version":"0","id":"local","detail-type":"Scheduled Event","source":"aws.events","account":"000000000000","time":"1970-01-01T00:00:00Z","region":"ap-northeast-2","resources":["arn:aws:events:ap-northeast-2:000000000000:rule/local-bounces"],"detail":{}}`

// ReadBounces invokes the bounce reader once, as its schedule would, and
// returns how many bounces it recorded across the accounts.
func ReadBounces(ctx context.Context, reader *runtimeapi.Function, timeout time.Duration) (int, error) {
	res, err := reader.Invoke(ctx, []byte(BounceSchedulePayload), timeout)
	if err != nil {
		return 0, err
	}
	if res.Err != nil {
		return 0, fmt.Errorf("the bounce reader failed: %s: %s", res.Err.Type, res.Err.Message)
	}
	var sum struct {
		Accounts []struct {
			Bounced int    `json:"bounced"`
			Error   string `json:"error"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(res.Payload, &sum); err != nil {
		return 0, err
	}
	n := 0
	for _, a := range sum.Accounts {
		n += a.Bounced
	}
	return n, nil
}
