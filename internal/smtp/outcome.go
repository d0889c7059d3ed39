package smtp

import (
	"errors"

	"github.com/gmailsend/gmailsend"
)

// ErrContentSent is found (errors.Is) in a failure that came after message
// content started going to the server. A failure without it happened
// before any content left (connect, TLS, AUTH, MAIL, RCPT, DATA), so
// nothing can have been delivered and sending again is safe.
var ErrContentSent = errors.New("smtp: the failure came after message content was sent")

// ErrDeliveryUnknown is found in a failure after content was sent that
// carries no reply from the server: the connection broke or timed out
// while the content or its final dot was in flight, or before the reply
// to it. The server may have accepted the message. Content cut off before
// the final dot is not delivered by a conforming server, but the client
// cannot know how much of it arrived, so it is treated the same way.
var ErrDeliveryUnknown = errors.New("smtp: no reply after the message content was sent; delivery unknown")

// markContentSent returns a copy of e whose cause also matches
// ErrContentSent, and ErrDeliveryUnknown when the server gave no reply.
func markContentSent(e *gmailsend.Error) *gmailsend.Error {
	c := *e
	marks := []error{ErrContentSent}
	if !isReply(e) {
		marks = append(marks, ErrDeliveryUnknown)
	}
	if e.Err != nil {
		marks = append(marks, e.Err)
	}
	c.Err = errors.Join(marks...)
	return &c
}
