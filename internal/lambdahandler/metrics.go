package lambdahandler

import (
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/emf"
	"github.com/gmailsend/gmailsend/internal/sender"
)

// SendRecorder publishes the metrics of one send, or of a request answered
// from an earlier one's record; *emf.Writer is one.
type SendRecorder interface {
	Send(emf.Send) error
	IdempotentReplay(source string) error
}

var _ SendRecorder = (*emf.Writer)(nil)

// recordSend publishes what logSend logged, as metrics: the outcome code,
// the source, the stored credential's name, and numbers. A metric that
// cannot be written is logged and never fails the send.
func (h *Handler) recordSend(src source, out sender.Outcome, err error, elapsed time.Duration) {
	if h.opts.Metrics == nil {
		return
	}
	outcome := "sent"
	if err != nil {
		outcome = string(gmailsend.AsError(err).Code)
	}
	var werr error
	if out.Replayed {
		// Nothing was sent: counting it as a send would count a delivery
		// twice (and skew the bounce rate).
		werr = h.opts.Metrics.IdempotentReplay(string(src))
	} else {
		werr = h.opts.Metrics.Send(emf.Send{
			Source: string(src), Outcome: outcome, Credential: out.Credential,
			Duration: elapsed, RoundTrips: out.RoundTrips, Recipients: out.Recipients,
		})
	}
	if werr != nil {
		h.log.Error("metrics", "error", werr.Error())
	}
}
