package bounce

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gmailsend/gmailsend"
)

// Mailbox is an open, authenticated IMAP session on one account.
type Mailbox interface {
	// Select opens INBOX and returns its UIDVALIDITY and UIDNEXT.
	Select(ctx context.Context) (uidValidity, uidNext uint32, err error)
	// Search returns, ascending, the UIDs of messages above afterUID
	// received since the date (zero: any) whose From field names one of
	// senders (the parser checks the address itself).
	Search(ctx context.Context, afterUID uint32, since time.Time, senders []string) ([]uint32, error)
	// Fetch reads at most maxBytes of each message; an error from each
	// stops it.
	Fetch(ctx context.Context, uids []uint32, maxBytes int64, each func(uid uint32, raw []byte) error) error
	// Move moves messages to folder.
	Move(ctx context.Context, uids []uint32, folder string) error
	Close(ctx context.Context) error
}

// Checkpoint is how far an account's INBOX has been read.
type Checkpoint struct {
	UIDValidity uint32
	LastUID     uint32
	// FailingUID is a notification the table refused to apply, Failures
	// how many runs it was tried in (zero: none is failing). After
	// MaxApplyAttempts it is passed over.
	FailingUID uint32
	Failures   int
}

// Applied is what recording an outcome did.
type Applied int

// The results of Store.Record.
const (
	Updated   Applied = iota // the record changed
	Duplicate                // the same outcome was already recorded
	NotFound                 // no record of this account has that Message-ID
	// NotRecipient: the record exists, but the address was not one of
	// its message's recipients (see Event.Admit); nothing changed.
	NotRecipient
)

// Event is one recipient's outcome for a sent message.
type Event struct {
	// Owners are the record accounts that may own the message: the
	// stored credential's and the mailbox's; a record of any other
	// account is never touched, so a forged notification in one inbox
	// cannot mark another account's messages.
	Owners        []string
	MessageID     string
	RecipientHash string
	Outcome       Outcome
	Status        string
	Diagnostic    string
	At            time.Time
}

// Store is what the reader needs from the table.
type Store interface {
	Checkpoint(ctx context.Context, account string) (Checkpoint, error)
	SaveCheckpoint(ctx context.Context, account string, c Checkpoint) error
	// Records are the steps Apply settles a notification's change with.
	Records
	// Suppress adds an entry unless the address is already suppressed
	// (then it reports false and changes nothing).
	Suppress(ctx context.Context, s Suppression) (added bool, err error)
}

// Account is one mailbox the reader reads.
type Account struct {
	// Credential is the stored credential's name (for the log and the
	// records' account); Mailbox its Gmail address.
	Credential, Mailbox string
}

// Options bound a run.
type Options struct {
	// MaxMessages is the most notifications fetched per account per run;
	// the rest wait for the next run.
	MaxMessages int
	// RescanWindow is how far back a first run, or a run after the
	// INBOX's UIDVALIDITY changed, looks (by received date).
	RescanWindow time.Duration
	// ArchiveFolder, when set, receives processed notifications.
	ArchiveFolder string
	// Reserve is kept back from the deadline: no new notification is
	// started with less left, so the checkpoint is always written.
	Reserve time.Duration
	// Senders are the From addresses notifications may come from (Gmail's
	// daemon; Workspace relays and other MTAs add theirs). Mail from any
	// other address is passed over (SkipUntrusted).
	Senders []string
}

// DefaultSender is where Gmail's own notifications come from.
const DefaultSender = "mailer-daemon@googlemail.com"

// DefaultOptions: 50 messages, 7 days, no archive, 2 s reserve, Gmail's
// daemon as the only sender.
func DefaultOptions() Options {
	return Options{MaxMessages: 50, RescanWindow: 7 * 24 * time.Hour, Reserve: 2 * time.Second, Senders: []string{DefaultSender}}
}

// Reader reads one account's notifications per Run.
type Reader struct {
	Store Store
	// Sink is told of every status change a notification makes (Apply);
	// nil tells nobody.
	Sink gmailsend.StatusSink
	Open func(ctx context.Context, a Account) (Mailbox, error)
	// Parse reads one notification (enmimedsn.Parse): given by the
	// wiring, so this package does not link a MIME parser into the send
	// function, which uses only the suppression list.
	Parse func(raw []byte) (Notification, error)
	Opts  Options
	Log   *slog.Logger
	Now   func() time.Time
}

// Report counts what a run did; it is the run's log line.
type Report struct {
	Account string `json:"account"`
	Rescan  bool   `json:"rescan"`
	Found   int    `json:"found"`
	Read    int    `json:"read"`
	// Skipped counts the notifications passed over without any change,
	// by reason (the NotificationsSkipped metric).
	Skipped map[SkipReason]int `json:"skipped,omitempty"`
	// NotRecipients counts per-recipient blocks refused because the
	// address was not a recipient of the message (in notifications that
	// changed something too).
	NotRecipients int    `json:"notRecipients,omitempty"`
	Bounced       int    `json:"bounced"`
	Delayed       int    `json:"delayed"`
	Duplicates    int    `json:"duplicates"`
	Suppressed    int    `json:"suppressed"`
	Moved         int    `json:"moved"`
	LastUID       uint32 `json:"lastUid"`
}

func (r *Report) skip(reason SkipReason) {
	if r.Skipped == nil {
		r.Skipped = map[SkipReason]int{}
	}
	r.Skipped[reason]++
}

var errOutOfTime = errors.New("bounce: out of time for this run")

func (r *Reader) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}
