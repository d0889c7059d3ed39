package bounce_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/dev/devimap"
	"github.com/gmailsend/gmailsend/dev/dynalite"
	"github.com/gmailsend/gmailsend/dev/fixture"
	"github.com/gmailsend/gmailsend/internal/bounce"
	"github.com/gmailsend/gmailsend/internal/dynamostore"
	"github.com/gmailsend/gmailsend/internal/enmimedsn"
	"github.com/gmailsend/gmailsend/internal/imapmail"
)

var _ bounce.Mailbox = (*imapmail.Session)(nil)

// The Message-IDs of the samples in testdata.
const (
	gmailID   = "<mwshigyo.b9e81e03169fd21d7a5c4335749f9a3d@gmail.com>"
	postfixID = "<mwsk2b1q.0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f@gmail.com>"
	multiID   = "<mwsl9x0p.77aa88bb99cc00dd11ee22ff33aa44bb@gmail.com>"
)

// The recipients the samples report on.
const (
	gmailTo   = "nobody@example.com"
	postfixTo = "gone@example.net"
)

var multiTo = []string{"nouser@example.org", "slow@example.com", "kim@example.com"}

// rig is a real IMAP server, a real table in dynalite, and a reader of
// the development account through imapmail.
type rig struct {
	imap   *devimap.Server
	dynamo *dynamodb.Client
	table  *dynamostore.Table
	reader *bounce.Reader
	acct   bounce.Account
}

// postfixSenders are the From addresses of the Postfix samples: a
// deployment reading notifications from other MTAs lists them.
var postfixSenders = []string{"MAILER-DAEMON@mx.example.net", "mailer-daemon@relay.example.org"}

func newRig(t testing.TB, o bounce.Options) *rig {
	t.Helper()
	o.Senders = append(o.Senders, postfixSenders...)
	client, _ := dynalite.StartTable(t, "messages")
	srv, ca := devimap.StartTest(t, devimap.Options{Users: map[string]string{fixture.User: fixture.Password}, Folders: []string{"Bounces"}})
	cfg := imapmail.Config{Host: "127.0.0.1", Port: srv.Port, RootCAs: ca.Pool()}
	r := &rig{imap: srv, dynamo: client, table: dynamostore.NewWithAPI("messages", client), acct: bounce.Account{Credential: "desk", Mailbox: fixture.User}}
	r.reader = &bounce.Reader{Store: r.table, Opts: o, Parse: enmimedsn.Parse, Open: func(ctx context.Context, a bounce.Account) (bounce.Mailbox, error) {
		return imapmail.Open(ctx, cfg, imapmail.Credentials{User: a.Mailbox, Password: fixture.Password})
	}}
	return r
}

// sent writes a finished "sent" record of the account with that
// Message-ID, sent to the recipients.
func (r *rig) sent(t testing.TB, account, messageID string, recipients ...string) string {
	t.Helper()
	now := time.Now().UTC()
	rec := &gmailsend.Record{ID: gmailsend.NewID(), Status: gmailsend.StatusSending, Account: account, Source: "sqs",
		Recipients: len(recipients), RecipientKeys: bounce.RecipientKeys(recipients),
		CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour), Token: gmailsend.NewToken(), LeaseUntil: now.Add(time.Minute)}
	if _, err := r.table.Claim(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	rec.Status, rec.MessageID = gmailsend.StatusSent, messageID
	if err := r.table.Finish(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	return rec.ID
}

func (r *rig) deliver(t testing.TB, raw []byte) {
	t.Helper()
	if _, err := r.imap.Append(fixture.User, raw, time.Time{}); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) run(t testing.TB) bounce.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rep, err := r.reader.Run(ctx, r.acct)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (r *rig) status(t *testing.T, id string) gmailsend.Status {
	t.Helper()
	rec, err := r.table.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Status
}

func sample(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "enmimedsn", "testdata", name)) // the parser's samples
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func suppressed(t *testing.T, r *rig, address string) bool {
	t.Helper()
	hits, err := r.table.Suppressed(context.Background(), bounce.AccountKey(fixture.User), []string{address})
	if err != nil {
		t.Fatal(err)
	}
	return len(hits) == 1
}

// TestRunAppliesNotifications ensures one run over Gmail's and Postfix's
// notifications, a multi-recipient one (failed + delayed), one without a
// Message-ID, one for a message not in the table and ordinary mail marks
// each record, suppresses only the dead addresses, counts the rest, and a
// second run from the checkpoint finds nothing.
func TestRunAppliesNotifications(t *testing.T) {
	r := newRig(t, bounce.DefaultOptions())
	gmail := r.sent(t, "credential:desk", gmailID, gmailTo)
	postfix := r.sent(t, bounce.AccountKey(fixture.User), postfixID, postfixTo) // sent with an inline password
	multi := r.sent(t, "credential:desk", multiID, multiTo...)
	for _, name := range []string{"gmail-failure.eml", "postfix-failed.eml", "postfix-multi-recipient.eml", "no-message-id.eml"} {
		r.deliver(t, sample(t, name))
	}
	r.deliver(t, bytes.ReplaceAll(sample(t, "postfix-failed.eml"), []byte(postfixID), []byte("<not-ours.1@gmail.com>")))
	r.deliver(t, []byte("From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\r\nReturn-Path: <>\r\nSubject: Your storage is almost full\r\n\r\nnot a report\r\n"))

	rep := r.run(t)
	want := bounce.Report{Account: "desk", Rescan: true, Found: 6, Read: 6,
		Skipped: map[bounce.SkipReason]int{bounce.SkipNotReport: 1, bounce.SkipNoMessageID: 1, bounce.SkipUnknownMessage: 1},
		Bounced: 3, Delayed: 1, Suppressed: 3, LastUID: 6}
	if !reflect.DeepEqual(rep, want) {
		t.Fatalf("report\n %+v\nwant\n %+v", rep, want)
	}
	for id, st := range map[string]gmailsend.Status{gmail: gmailsend.StatusBounced, postfix: gmailsend.StatusBounced, multi: gmailsend.StatusBounced} {
		if got := r.status(t, id); got != st {
			t.Errorf("record %s is %s, want %s", id, got, st)
		}
	}
	for addr, want := range map[string]bool{"nobody@example.com": true, "gone@example.net": true, "nouser@example.org": true, "slow@example.com": false} {
		if got := suppressed(t, r, addr); got != want {
			t.Errorf("%s suppressed = %v, want %v", addr, got, want)
		}
	}
	if rep := r.run(t); rep.Found != 0 || rep.Rescan || rep.LastUID != 6 {
		t.Errorf("second run: %+v", rep)
	}
}

// TestRunDuplicateAndDelay ensures a delayed notification marks the record
// delayed, the same notification again changes nothing, and the later
// failure turns it bounced.
func TestRunDuplicateAndDelay(t *testing.T) {
	r := newRig(t, bounce.DefaultOptions())
	id := r.sent(t, "credential:desk", postfixID, postfixTo)
	delayed := bytes.Replace(sample(t, "postfix-failed.eml"), []byte("Action: failed\r\nStatus: 5.2.1"), []byte("Action: delayed\r\nStatus: 4.4.1"), 1)
	r.deliver(t, delayed)
	r.deliver(t, delayed)
	rep := r.run(t)
	if rep.Delayed != 1 || rep.Duplicates != 1 || rep.Suppressed != 0 || r.status(t, id) != gmailsend.StatusDelayed {
		t.Fatalf("report %+v, status %s", rep, r.status(t, id))
	}
	before, _ := r.table.Get(context.Background(), id)
	r.deliver(t, delayed)
	if rep := r.run(t); rep.Duplicates != 1 || rep.Delayed != 0 {
		t.Fatalf("third copy: %+v", rep)
	}
	after, _ := r.table.Get(context.Background(), id)
	if !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Error("a duplicate notification changed the record")
	}
	r.deliver(t, sample(t, "postfix-failed.eml"))
	if rep := r.run(t); rep.Bounced != 1 || r.status(t, id) != gmailsend.StatusBounced || !suppressed(t, r, "gone@example.net") {
		t.Fatalf("failure after delay: %+v, %s", rep, r.status(t, id))
	}
}

// TestRunUIDValidityChange ensures a renumbered INBOX is rescanned within
// the window, re-applies nothing, and moves the checkpoint to the new
// UIDVALIDITY.
func TestRunUIDValidityChange(t *testing.T) {
	r := newRig(t, bounce.DefaultOptions())
	id := r.sent(t, "credential:desk", gmailID, gmailTo)
	r.deliver(t, sample(t, "gmail-failure.eml"))
	if rep := r.run(t); rep.Bounced != 1 || !rep.Rescan {
		t.Fatalf("first run: %+v", rep)
	}
	if _, err := r.imap.ChangeUIDValidity(fixture.User); err != nil {
		t.Fatal(err)
	}
	before, _ := r.table.Get(context.Background(), id)
	rep := r.run(t)
	if !rep.Rescan || rep.Found != 1 || rep.Duplicates != 1 || rep.Bounced != 0 || rep.Suppressed != 0 {
		t.Fatalf("after renumbering: %+v", rep)
	}
	after, _ := r.table.Get(context.Background(), id)
	if !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Error("the rescan changed the record")
	}
	if rep := r.run(t); rep.Rescan || rep.Found != 0 {
		t.Errorf("third run: %+v", rep)
	}
}

// TestRunBoundedAcrossRuns ensures at most MaxMessages are read per run and
// the rest the next run, in order, and that processed notifications move
// to the archive folder.
func TestRunBoundedAcrossRuns(t *testing.T) {
	o := bounce.DefaultOptions()
	o.MaxMessages, o.ArchiveFolder = 2, "Bounces"
	r := newRig(t, o)
	r.sent(t, "credential:desk", gmailID, gmailTo)
	r.sent(t, "credential:desk", postfixID, postfixTo)
	r.sent(t, "credential:desk", multiID, multiTo...)
	for _, name := range []string{"gmail-failure.eml", "postfix-failed.eml", "postfix-multi-recipient.eml"} {
		r.deliver(t, sample(t, name))
	}
	first := r.run(t)
	second := r.run(t)
	third := r.run(t)
	if first.Read != 2 || first.Moved != 2 || first.LastUID != 2 || second.Read != 1 || second.Bounced != 1 || second.Delayed != 1 || second.LastUID != 3 || third.Found != 0 {
		t.Fatalf("runs:\n %+v\n %+v\n %+v", first, second, third)
	}
	inbox, _ := r.imap.Count(fixture.User, "INBOX")
	archived, _ := r.imap.Count(fixture.User, "Bounces")
	if inbox != 0 || archived != 3 {
		t.Errorf("INBOX %d, Bounces %d", inbox, archived)
	}
}

// TestRunRoundTrips ensures a run costs a fixed number of IMAP round trips
// however many notifications it reads (one FETCH for all), and reports it.
func TestRunRoundTrips(t *testing.T) {
	r := newRig(t, bounce.DefaultOptions())
	for i := 0; i < 10; i++ {
		r.deliver(t, sample(t, "gmail-failure.eml"))
	}
	r.sent(t, "credential:desk", gmailID, gmailTo)
	start := r.imap.Stats().RoundTrips
	rep := r.run(t)
	trips := r.imap.Stats().RoundTrips - start
	t.Logf("one run, %d notifications: %d IMAP round trips (TCP+TLS handshake included)", rep.Read, trips)
	if rep.Read != 10 || trips > 12 {
		t.Errorf("read %d in %d round trips", rep.Read, trips)
	}
}

// TestRunStopsBeforeTheDeadline ensures a run with less time left than
// its reserve starts no notification and keeps the checkpoint where it
// was, so the next run reads them.
func TestRunStopsBeforeTheDeadline(t *testing.T) {
	o := bounce.DefaultOptions()
	o.Reserve = time.Hour // more than any invocation has left
	r := newRig(t, o)
	id := r.sent(t, "credential:desk", gmailID, gmailTo)
	r.deliver(t, sample(t, "gmail-failure.eml"))
	if rep := r.run(t); rep.Found != 1 || rep.Read != 0 || rep.LastUID != 0 {
		t.Fatalf("short run: %+v", rep)
	}
	if r.status(t, id) != gmailsend.StatusSent {
		t.Fatal("a notification was applied past the reserve")
	}
	r.reader.Opts.Reserve = time.Second
	if rep := r.run(t); rep.Read != 1 || rep.Bounced != 1 || rep.LastUID != 1 {
		t.Fatalf("next run: %+v", rep)
	}
}

// TestRunSurvivesHostileNotifications ensures a huge notification (only
// its first MaxBytes fetched) and a malformed one are counted and passed
// over while the good one after them is applied.
func TestRunSurvivesHostileNotifications(t *testing.T) {
	r := newRig(t, bounce.DefaultOptions())
	id := r.sent(t, "credential:desk", postfixID, postfixTo)
	huge := append([]byte("From: mailer-daemon@googlemail.com\r\nContent-Type: multipart/report; boundary=x\r\n\r\n--x\r\n"), bytes.Repeat([]byte("A"), 3<<20)...)
	r.deliver(t, huge)
	r.deliver(t, []byte("From: mailer-daemon@googlemail.com\r\nContent-Type: multipart/report; boundary=\"\r\n\r\n--\r\n\x00\xff\r\n"))
	r.deliver(t, sample(t, "postfix-failed.eml"))
	rep := r.run(t)
	if rep.Read != 3 || rep.Skipped[bounce.SkipNotReport] != 2 || rep.Bounced != 1 || r.status(t, id) != gmailsend.StatusBounced {
		t.Fatalf("report %+v, status %s", rep, r.status(t, id))
	}
}
