package sender

import (
	"context"
	"strings"
	"time"

	"github.com/gmailsend/gmailsend"
	"github.com/gmailsend/gmailsend/internal/smtp"
)

// markAsync starts writing rec's "content may be at the server" mark
// (gmailsend.Records.Mark) and returns the content gate that waits for it
// (any number of times). It starts once the claim is held and the quota
// reserved, so its round trip overlaps the SMTP dial, AUTH or envelope
// instead of adding to them; the gate stops the content until the mark is
// durable. After the mark, a crash of this invocation leaves a claim that
// is settled unknown, never sent again; before it, the claim is taken over
// once its lease ends and the message is sent.
func (s *Sender) markAsync(ctx context.Context, rec *gmailsend.Record) smtp.ContentGate {
	done := make(chan struct{})
	var err error
	marked := *rec
	marked.ContentAt = s.now()
	rec.ContentAt = marked.ContentAt
	go func() {
		defer close(done)
		err = s.Records.Mark(ctx, &marked)
	}()
	return func() error {
		<-done
		if err != nil {
			// Not marked (or unknown whether): nothing goes, and the
			// claim is released by the outcome write like any failure
			// before content.
			rec.ContentAt = time.Time{}
			if e := gmailsend.AsError(err); e.Code == gmailsend.CodeInternal {
				return gmailsend.Errorf(gmailsend.CodeStoreUnavailable, "", "the message table could not record the send: %v", err)
			}
		}
		return err
	}
}

// oneFlightLikely reports whether req's message will likely go to a kept
// session in one flight (RSET, MAIL, RCPT and the content written
// together: one recipient, a session used in the last seconds). The
// content then leaves at once, with no envelope round trip for the mark
// to overlap, so a separate mark would add a DynamoDB round trip to every
// warm send: the claim carries the mark instead (durable.go). The price is
// the same as the mark's own, a little wider: a crash between the claim
// and the content (the credential lookup, the quota and suppression
// checks: usually one round trip, longer when a token is refreshed or a
// dropped session redialled) ends unknown instead of being taken over —
// never a second copy. A wrong
// guess (another account's session, a dropped one) only makes the mark
// early in the same way.
func (s *Sender) oneFlightLikely(req *gmailsend.Request) bool {
	d, ok := s.Deliver.(interface{ OneFlightReady() bool })
	return ok && len(req.ToEmail) == 1 && !strings.Contains(req.ToEmail[0], ",") &&
		len(req.Cc) == 0 && len(req.Bcc) == 0 && d.OneFlightReady()
}

// gatedContext returns ctx with a content gate that passes through
// *gate once it is set (by the beforeDelivery step), so delivery waits for
// the mark that step started.
func gatedContext(ctx context.Context, gate *smtp.ContentGate) context.Context {
	return smtp.WithContentGate(ctx, func() error {
		if *gate == nil {
			return nil
		}
		return (*gate)()
	})
}
