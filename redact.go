package gmailsend

import (
	"regexp"
)

// addressLike is anything with an @ between non-space characters: a
// server reply often quotes the refused recipient ("<kim@example.com>").
var addressLike = regexp.MustCompile(`[^\s<>"'(),;\[\]]+@[^\s<>"'(),;\[\]]+`)

// Redacted is a copy of reply whose address-like words are replaced, so
// the stored reply names no recipient.
func Redacted(reply *SMTPReply) *SMTPReply {
	if reply == nil {
		return nil
	}
	c := *reply
	c.Message = addressLike.ReplaceAllString(c.Message, "[address]")
	return &c
}
