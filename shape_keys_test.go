package gmailsend

import "testing"

// TestCheckKeys ensures a wrapping object's keys are refused as a request's are: unknown (with a suggestion), duplicated or spelt in another case, naming the key; valid ones and bodies left to the decoder pass.
func TestCheckKeys(t *testing.T) {
	cases := map[string]string{ // body → the field named, "" for none
		`{"messages":[{"a":1}],"validation":"strict"}`: "",
		`{}`:                              "",
		`[1]`:                             "",
		`{"messages":[`:                   "",
		`{"messages":[1],"messages":[2]}`: "messages",
		`{"MESSAGES":[1]}`:                "MESSAGES",
		`{"Messages":[1],"messages":[2]}`: "Messages",
		`{"messages":[1],"validation":"a","validation":"b"}`: "validation",
		`{"messages":[],"extra":{"messages":[]}}`:            "extra",
		`{"m\u0065ssages":[1],"messages":[2]}`:               "messages",
	}
	for body, field := range cases {
		err := CheckKeys([]byte(body), "messages", "validation", "idempotencyKey")
		e := AsError(err)
		switch {
		case field == "" && err != nil:
			t.Errorf("%s: %v", body, err)
		case field != "" && (e == nil || e.Code != CodeInvalidRequest || e.Field != field):
			t.Errorf("%s: %v, want invalid_request naming %q", body, err, field)
		}
	}
	if e := AsError(CheckKeys([]byte(`{"Messages":[]}`), "messages")); e == nil || e.Message != `unknown field "Messages"; did you mean "messages"?` {
		t.Errorf("suggestion: %v", e)
	}
}
