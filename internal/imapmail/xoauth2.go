package imapmail

import (
	"encoding/json"

	"github.com/emersion/go-sasl"
)

// xoauth2 is Google's SASL XOAUTH2 as a go-sasl client (go-sasl ships
// OAUTHBEARER but not XOAUTH2). On a bad token Google sends a base64 JSON
// challenge that must be answered with an empty response before it says
// NO; the challenge's status is kept for the error.
type xoauth2 struct {
	user, token string
	failure     struct {
		Status string `json:"status"`
	}
}

var _ sasl.Client = (*xoauth2)(nil)

func newXOAuth2(user, token string) *xoauth2 { return &xoauth2{user: user, token: token} }

func (x *xoauth2) Start() (string, []byte, error) {
	return "XOAUTH2", []byte("user=" + x.user + "\x01auth=Bearer " + x.token + "\x01\x01"), nil
}

func (x *xoauth2) Next(challenge []byte) ([]byte, error) {
	_ = json.Unmarshal(challenge, &x.failure)
	return []byte{}, nil
}
