package lambdahandler

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// detectByDecoding is how detect used to read the payload: decoded into
// maps. detect must answer as it does for every input.
func detectByDecoding(payload []byte) source {
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

// detectSeeds are the real events (upstream and this repository's samples)
// and the edge cases of the map decoding.
func detectSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, pattern := range []string{filepath.Join(fixture.UpstreamDir(t), "*.json"), filepath.Join(fixture.ModuleRoot(t), "events", "*.json")} {
		files, _ := filepath.Glob(pattern)
		for _, f := range files {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			seeds = append(seeds, raw)
		}
	}
	for _, s := range []string{
		`{"Records":[{"eventSource":"aws:sqs"}]}`, `{"Records":[{"eventSource":"aws:sqs"},5]}`,
		`{"Records":[null,{"eventSource":"aws:sqs"}]}`, `{"Records":[]}`, `{"Records":null}`, `{"Records":{}}`,
		`{"Records":[{"eventSource":"aws:sqs","eventSource":"aws:sns"}]}`, `{"Records":[{"EventSource":"aws:sns"}]}`,
		`{"Records":[{"eventSource": "aws:sqs" }]}`, `{"Records":[{"eventSource":"aws:\u0073qs"}]}`,
		`{"\u0052ecords":[{"eventSource":"aws:sqs"}]}`, `{"records":[{"eventSource":"aws:sqs"}]}`,
		`{"Records":5,"Records":[{"eventSource":"aws:sqs"}]}`, `{"Records":[{"eventSource":"aws:sqs"}],"Records":[]}`,
		`{"httpMethod":"POST","requestContext":{},"resource":"/"}`, `{"routeKey":"x","requestContext":null,"rawPath":"/"}`,
		`{"detail-type":"x","detail":{},"source":"s"}`, `{"requestPayload":1,"requestContext":1,"responseContext":1,"version":"1.0"}`,
		`[]`, `null`, `"Records"`, `{}`, `{"user":"a@b.c"}`, ` {"Records" : [ {"eventSource":"aws:sqs"} ] } `,
		`{"Records":[{"eventSource":"aws:sqs"}]`, "{\"Records\":[{\"eventSource\":\"aws:sqs\"}],\"\xff\":1}",
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// TestDetectAgreesWithDecoding ensures reading the payload in place answers
// as decoding it did, for every real event and the edge cases.
func TestDetectAgreesWithDecoding(t *testing.T) {
	seeds := detectSeeds(t)
	if len(seeds) < 40 {
		t.Fatalf("only %d seeds: the sample events were not found", len(seeds))
	}
	for _, p := range seeds {
		if got, want := detect(p), detectByDecoding(p); got != want {
			t.Errorf("detect = %s, decoding says %s, for %.200s", got, want, p)
		}
	}
}

// FuzzDetectAgrees holds detect to the decoding on any input.
func FuzzDetectAgrees(f *testing.F) {
	for _, s := range detectSeeds(f) {
		if len(s) < 4096 {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, p []byte) {
		if got, want := detect(p), detectByDecoding(p); got != want {
			t.Fatalf("detect = %s, decoding says %s, for %q", got, want, p)
		}
	})
}

// BenchmarkDetectSQSBatch measures detect on a batch of ten 140 KB bodies:
// it should allocate next to nothing, however large the batch.
func BenchmarkDetectSQSBatch(b *testing.B) {
	body, _ := json.Marshal(string(bytes.Repeat([]byte("x"), 140<<10)))
	var ev bytes.Buffer
	ev.WriteString(`{"Records":[`)
	for i := 0; i < 10; i++ {
		if i > 0 {
			ev.WriteByte(',')
		}
		ev.WriteString(`{"messageId":"m","eventSource":"aws:sqs","body":`)
		ev.Write(body)
		ev.WriteString(`}`)
	}
	ev.WriteString(`]}`)
	payload := ev.Bytes()
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		if detect(payload) != sourceSQS {
			b.Fatal("not detected")
		}
	}
}
