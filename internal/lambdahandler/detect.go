package lambdahandler

import (
	"encoding/json"

	"github.com/gmailsend/gmailsend/internal/jsonscan"
)

// source is what invoked the function.
type source string

const (
	sourceDirect       source = "direct"
	sourceAPIGatewayV1 source = "apigateway-rest"
	sourceAPIGatewayV2 source = "apigateway-http"
	sourceSQS          source = "sqs"
	sourceSNS          source = "sns"
	sourceEventBridge  source = "eventbridge"
	sourceDestination  source = "destination" // a Lambda destination record (destination.go)
)

// detect recognises the event by its exact top-level keys. encoding/json
// matches keys case-insensitively, which would confuse SNS's "EventSource"
// with SQS's "eventSource", so the keys are compared here byte for byte.
// Anything that is not a known envelope is a direct invocation: the payload
// is the send request itself, and its own validation explains what is wrong.
//
// It reads the payload in place (jsonscan) and answers as decoding it into
// a map[string]json.RawMessage would (the last of repeated keys counts),
// without that decoding's two copies of a payload of up to 6 MB (Lambda's
// invocation payload limit, limits.go), most of it bodies.
func detect(payload []byte) source {
	if !json.Valid(payload) {
		return sourceDirect
	}
	top, ok := topLevel(payload)
	if !ok {
		return sourceDirect
	}
	has := func(k string) bool { _, ok := top[k]; return ok }
	switch {
	case has("Records"):
		first, ok := firstRecord(top["Records"])
		if !ok {
			return sourceDirect
		}
		if v, ok := first["eventSource"]; ok && string(v) == `"aws:sqs"` {
			return sourceSQS
		}
		if v, ok := first["EventSource"]; ok && string(v) == `"aws:sns"` {
			return sourceSNS
		}
	case has("httpMethod") && has("requestContext") && has("resource"):
		return sourceAPIGatewayV1
	case has("routeKey") && has("requestContext") && has("rawPath"):
		return sourceAPIGatewayV2
	case has("detail-type") && has("detail") && has("source"):
		return sourceEventBridge
	case has("requestPayload") && has("requestContext") && has("responseContext") && has("version"):
		return sourceDestination
	}
	return sourceDirect
}

// members maps an object's keys to their values, as spans of the payload.
type members map[string][]byte

// topLevel reads the members of the object valid JSON holds; ok is false
// for any other value.
func topLevel(valid []byte) (members, bool) {
	s := jsonscan.Scanner{B: valid}
	if s.Peek() != '{' {
		return nil, false
	}
	return objectMembers(&s), true
}

// objectMembers reads the object at the scanner's next byte.
func objectMembers(s *jsonscan.Scanner) members {
	m := members{}
	s.Next() // {
	for s.Peek() != '}' {
		key := jsonscan.Unquote(s.Str())
		s.Next() // :
		s.Peek()
		start := s.I
		s.Skip()
		m[key] = s.B[start:s.I]
		s.SkipComma()
	}
	s.Next() // }
	return m
}

// firstRecord reads a Records value as decoding it into
// []map[string]json.RawMessage would: an array of objects (or nulls), of
// which the first is returned; ok is false for anything else or an empty
// array.
func firstRecord(records []byte) (first members, ok bool) {
	s := jsonscan.Scanner{B: records}
	if s.Peek() != '[' {
		return nil, false
	}
	s.Next() // [
	n := 0
	for s.Peek() != ']' {
		switch s.Peek() {
		case '{':
			if n > 0 {
				s.Skip() // only the first record is looked at
				break
			}
			first = objectMembers(&s)
		case 'n':
			s.Skip() // null: an empty record
		default:
			return nil, false
		}
		n++
		s.SkipComma()
	}
	return first, n > 0
}
