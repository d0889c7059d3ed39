package app

import (
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
	// CheckSuppressions (SUPPRESSION_CHECK) refuses sends to suppressed
	// addresses when the message table is configured.
	CheckSuppressions bool
}

// bounceDefaults are imapmail.DefaultConfig's server (spelled out here, a
// test in bounceapp keeps them equal, so the send function does not link
// go-imap) and bounce.DefaultOptions' limits.
func bounceDefaults() BounceConfig {
	o := bounce.DefaultOptions()
	return BounceConfig{IMAPHost: "imap.gmail.com", IMAPPort: 993, MaxMessages: o.MaxMessages, RescanWindow: o.RescanWindow, CheckSuppressions: true}
}
