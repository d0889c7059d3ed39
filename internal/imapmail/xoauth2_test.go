package imapmail

import "testing"

// TestXOAuth2Exchange ensures the initial response is Google's format and
// a failure challenge is answered with an empty response, its status kept.
func TestXOAuth2Exchange(t *testing.T) {
	x := newXOAuth2("me@gmail.com", "ya29.t")
	mech, ir, err := x.Start()
	if err != nil || mech != "XOAUTH2" || string(ir) != "user=me@gmail.com\x01auth=Bearer ya29.t\x01\x01" {
		t.Fatalf("%s %q %v", mech, ir, err)
	}
	resp, err := x.Next([]byte(`{"status":"401","schemes":"Bearer","scope":"https://mail.google.com/"}`))
	if err != nil || len(resp) != 0 || resp == nil || x.failure.Status != "401" {
		t.Fatalf("%q %v %+v", resp, err, x.failure)
	}
}
