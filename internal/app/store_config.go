package app

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// storeDefaults are the message table's settings by default. The daily
// limits keep a personal Gmail account (about 500 recipients a day over
// SMTP) clear of Google's block, with room for the person's own mail;
// Workspace accounts may raise them (2,000 messages, 10,000 recipients).
var storeDefaults = struct {
	MessageRetention, IdempotencyTTL       time.Duration
	DailyMessageLimit, DailyRecipientLimit int
}{30 * 24 * time.Hour, 24 * time.Hour, 400, 400}

// longDuration parses a Go duration or a number of days ("30d"), since
// retention is naturally said in days.
func longDuration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		if n, ok := strings.CutSuffix(v, "d"); ok {
			days, err := strconv.Atoi(n)
			if err != nil || days <= 0 {
				return errors.New("must be a number of days like 30d or a duration like 24h")
			}
			*field(c) = time.Duration(days) * 24 * time.Hour
			return nil
		}
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return errors.New("must be a number of days like 30d or a duration like 24h")
		}
		*field(c) = d
		return nil
	}
}
