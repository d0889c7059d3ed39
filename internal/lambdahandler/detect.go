package lambdahandler

import (
	"bytes"
	"encoding/json"
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
func detect(payload []byte) source {
	var top map[string]json.RawMessage
	if json.Unmarshal(payload, &top) != nil {
		return sourceDirect
	}
	has := func(k string) bool { _, ok := top[k]; return ok }
	switch {
	case has("Records"):
		var recs []map[string]json.RawMessage
		if json.Unmarshal(top["Records"], &recs) != nil || len(recs) == 0 {
			return sourceDirect
		}
		if v, ok := recs[0]["eventSource"]; ok && bytes.Equal(v, []byte(`"aws:sqs"`)) {
			return sourceSQS
		}
		if v, ok := recs[0]["EventSource"]; ok && bytes.Equal(v, []byte(`"aws:sns"`)) {
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
