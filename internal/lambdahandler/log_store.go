package lambdahandler

import (
	"log/slog"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// storeAttrs are the message table's part of a send's log line: the
// record id, whether the answer was a replay, and a table failure after a
// successful send (the caller got success; operators must see it).
func storeAttrs(out sender.Outcome) []slog.Attr {
	var attrs []slog.Attr
	if out.RecordID != "" {
		attrs = append(attrs, slog.String("id", out.RecordID))
	}
	if out.Replayed {
		attrs = append(attrs, slog.Bool("replayed", true))
	}
	if out.StoreError != nil {
		attrs = append(attrs, slog.String("storeError", string(gmailsend.AsError(out.StoreError).Code)))
	}
	return attrs
}
