package app

import (
	"net/mail"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend/internal/bounce"
)

// BounceConfig is the bounce reader's part of the configuration (both
// functions read the same environment table; the send function uses only
// CheckSuppressions).
type BounceConfig struct {
	IMAPHost string // IMAP_HOST: imap.gmail.com
	IMAPPort int    // IMAP_PORT: 993 (implicit TLS; nothing else is spoken)
	// Credentials (BOUNCE_CREDENTIALS) are the stored credentials whose
	// inboxes are read, comma-separated.
	Credentials []string
	// ArchiveFolder (BOUNCE_ARCHIVE_FOLDER) receives processed
	// notifications (a Gmail label); empty leaves them in INBOX.
	ArchiveFolder string
	// MaxMessages (BOUNCE_MAX_MESSAGES) is read per account per run.
	MaxMessages int
	// RescanWindow (BOUNCE_RESCAN_WINDOW) is how far back a first run or
	// a run after UIDVALIDITY changed looks.
	RescanWindow time.Duration
	// Senders (BOUNCE_SENDERS) are the From addresses a notification may
	// come from, comma-separated: Gmail's daemon, plus a Workspace relay's
	// or another MTA's where notifications come from there.
	Senders []string
	// CheckSuppressions (SUPPRESSION_CHECK) refuses sends to suppressed
	// addresses when the message table is configured.
	CheckSuppressions bool
}

// bounceDefaults are imapmail.DefaultConfig's server (spelled out here, a
// test in bounceapp keeps them equal, so the send function does not link
// go-imap) and bounce.DefaultOptions' limits.
func bounceDefaults() BounceConfig {
	o := bounce.DefaultOptions()
	return BounceConfig{IMAPHost: "imap.gmail.com", IMAPPort: 993, MaxMessages: o.MaxMessages, RescanWindow: o.RescanWindow,
		Senders: o.Senders, CheckSuppressions: true}
}

// check refuses a sender list that would admit nothing, or an entry that is
// not a bare address (a display name, or several in one).
func (b BounceConfig) check() []string {
	if len(b.Senders) == 0 {
		return []string{"BOUNCE_SENDERS names no address"}
	}
	for _, s := range b.Senders {
		if a, err := mail.ParseAddress(s); err != nil || !strings.EqualFold(a.Address, s) {
			return []string{"BOUNCE_SENDERS must be bare addresses like mailer-daemon@googlemail.com, comma-separated"}
		}
	}
	return nil
}
