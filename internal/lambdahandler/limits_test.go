package lambdahandler

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gmailsend/gmailsend"
)

// TestEachSourceHasItsOwnLimit ensures a request at a source's AWS limit passes and one byte more is payload_too_large naming that limit.
func TestEachSourceHasItsOwnLimit(t *testing.T) {
	h := &Handler{opts: DefaultOptions()}
	want := map[source]struct {
		bytes int
		name  string
	}{
		sourceAPIGatewayV1: {6_291_456, "6 MB synchronous"},
		sourceAPIGatewayV2: {6_291_456, "6 MB synchronous"},
		sourceDirect:       {6_291_456, "6 MB synchronous"},
		sourceSQS:          {1_048_576, "SQS's 1 MiB"},
		sourceEventBridge:  {1_048_576, "EventBridge's 1 MB"},
		sourceSNS:          {262_144, "SNS's 256 KiB"},
	}
	for src, w := range want {
		if err := h.checkSize(src, bytes.Repeat([]byte("x"), w.bytes)); err != nil {
			t.Errorf("%s: %d bytes refused: %v", src, w.bytes, err)
		}
		err := h.checkSize(src, bytes.Repeat([]byte("x"), w.bytes+1))
		e := gmailsend.AsError(err)
		if err == nil || e.Code != gmailsend.CodePayloadTooLarge || !strings.Contains(e.Message, w.name) {
			t.Errorf("%s: %d bytes: %v", src, w.bytes+1, err)
		}
	}
}

// TestConfiguredLimitWinsWhenLower ensures Options.MaxRequestBytes below a source's limit is the one applied and named.
func TestConfiguredLimitWinsWhenLower(t *testing.T) {
	h := &Handler{opts: Options{MaxRequestBytes: 1000}}
	err := h.checkSize(sourceSQS, make([]byte, 1001))
	if e := gmailsend.AsError(err); err == nil || !strings.Contains(e.Message, "configured request limit") {
		t.Fatalf("%v", err)
	}
	if err := h.checkSize(sourceSQS, make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
}
