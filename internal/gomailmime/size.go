package gomailmime

import (
	"io"

	"github.com/gmailsend/gmailsend"
)

// headerAllowance bounds the headers and MIME boundaries of a message whose
// recipients gmailsend.Validate has already limited.
const headerAllowance = 64 << 10

// CheckSize refuses a message larger than limit once encoded. A cheap upper
// bound settles almost every message: quoted-printable at most triples text
// and adds a soft line break per line (4× covers both, and base64), base64
// adds a third plus line ends to attachments, and a text part derived from
// the HTML is no longer than the HTML. Only a message near the limit is
// encoded into a counter to measure it exactly.
func CheckSize(b *Built, m *gmailsend.Mail, limit int64) error {
	text := len(m.Text)
	if text == 0 {
		text = len(m.HTML) // PlainText(m.HTML) is at most this long
	}
	bound := int64(headerAllowance + 4*(len(m.HTML)+text))
	for _, f := range m.Attachments {
		n := int64(len(f.Data))
		bound += (n+2)/3*4 + (n/57+1)*2 + 512
	}
	if bound <= limit {
		return nil
	}
	n, err := b.Message.WriteTo(io.Discard)
	if err != nil {
		return gmailsend.AsError(err)
	}
	if n > limit {
		return gmailsend.Errorf(gmailsend.CodePayloadTooLarge, "", "the encoded message is %d bytes; the limit is %d", n, limit)
	}
	return nil
}
