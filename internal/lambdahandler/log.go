package lambdahandler

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// logSend writes the one line per send. Only metadata goes in: no
// password, token, subject or body.
func (h *Handler) logSend(ctx context.Context, src source, itemID string, out sender.Outcome, err error, start time.Time) {
	elapsed := time.Since(start)
	defer h.recordSend(src, out, err, elapsed)
	attrs := []slog.Attr{
		slog.String("source", string(src)),
		slog.String("outcome", "sent"),
		slog.Int("recipients", out.Recipients),
		slog.Int64("durationMs", elapsed.Milliseconds()),
		slog.Int("smtpRoundTrips", out.RoundTrips),
	}
	if out.Credential != "" {
		attrs = append(attrs, slog.String("credential", out.Credential))
	}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, slog.String("requestId", lc.AwsRequestID))
	}
	if itemID != "" {
		attrs = append(attrs, slog.String("itemId", itemID))
	}
	if out.MessageID != "" {
		attrs = append(attrs, slog.String("messageId", out.MessageID))
	}
	attrs = append(attrs, storeAttrs(out)...) // log_store.go
	level := slog.LevelInfo
	if err != nil {
		e := gmailsend.AsError(err)
		attrs[1] = slog.String("outcome", string(e.Code))
		attrs = append(attrs, slog.Bool("retryable", e.Code.Retryable()))
		if e.Field != "" {
			attrs = append(attrs, slog.String("field", e.Field))
		}
		if e.SMTP != nil {
			attrs = append(attrs, slog.Int("smtpCode", e.SMTP.Code), slog.String("smtpEnhancedCode", e.SMTP.EnhancedCode))
		}
		level = slog.LevelWarn
		if e.Code == gmailsend.CodeInternal {
			// The cause is for operators; it was built from our own errors,
			// never from request content.
			level = slog.LevelError
			attrs = append(attrs, slog.String("cause", causeOf(e)))
		}
	}
	h.log.LogAttrs(ctx, level, "send", attrs...)
}

func causeOf(e *gmailsend.Error) string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}
