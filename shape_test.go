package gmailsend

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// shapeBodies are valid JSON bodies that reach every branch of validShape:
// escaped, case-folded and repeated keys, every type in every position,
// nulls, nesting and blanks.
var shapeBodies = []string{
	`{}`, " \t\r\n{ }\n", `{"user":"a"}`, `{"user":null}`,
	`{ "user" : "me@gmail.com" ,` + "\n\t" + `"toEmail" : [ "a@x.com" , "b@x.com" ] , "cc" : "c@x.com" }`,
	`{"subject":"a","subject":"b"}`, `{"\u0075ser":"a","user":"b"}`, `{"\u0075ser":5}`, `{"user":"a","us\u0065r":"b"}`,
	`{"us\"er":1}`, `{"User":"a"}`, `{"USER":"a"}`, `{"toEmails":"a"}`, `{"attachment":[]}`, `{"users":"a"}`,
	`{"\ud800":1}`, `{"\ud83d\ude00":1}`, `{"":1}`, `{"a\\":1}`, `{"\\":1}`, `{"\/user":1}`, `{"사용자":1}`,
	`{"user":"a","subject":"b","bogus":1}`, `{"__proto__":{}}`, `{"refreshToken":"x"}`,
	`{"subject":"a\\"}`, `{"subject":"\"\\\""}`, `{"subject":"\\\\\"\\"}`, `{"subject":"안녕 \u0000 \n"}`,
	`{"subject":-1}`, `{"subject":0}`, `{"subject":1e400}`, `{"subject":-0.5E-3}`, `{"subject":true}`, `{"subject":false}`,
	`{"subject":{}}`, `{"subject":{"a":1}}`, `{"subject":[]}`, `{"subject":["a"]}`, `{"subject":"a","message":7}`,
	`{"toEmail":"a"}`, `{"toEmail":["a","b"]}`, `{"toEmail":[]}`, `{"toEmail":[ ]}`, `{"toEmail":["a",1]}`,
	`{"toEmail":["a",null]}`, `{"toEmail":[null]}`, `{"toEmail":["a",["b"]]}`, `{"toEmail":["a",{}]}`, `{"toEmail":["a",true]}`,
	`{"toEmail":{"x":1}}`, `{"toEmail":true}`, `{"toEmail":5}`, `{"bcc":null,"replyTo":[]}`,
	`{"attachments":null}`, `{"attachments":[]}`, `{"attachments":[null]}`, `{"attachments":["x"]}`, `{"attachments":[1]}`,
	`{"attachments":[[]]}`, `{"attachments":[{}]}`, `{"attachments":{}}`, `{"attachments":"x"}`, `{"attachments":false}`,
	`{"attachments":[{"filename":"a","content":"YQ=="},{"name":1}]}`, `{"attachments":[{"filename":"a","filename":"b"}]}`,
	`{"attachments":[{"Filename":"a"}]}`, `{"attachments":[{"contents":"a"}]}`, `{"attachments":[{"content":5}]}`,
	`{"attachments":[{"content":null,"contentType":null}]}`, `{"attachments":[{},{},{"content":[]}]}`,
	`{"attachments":[{"filename":"a"}],"attachments":[]}`, `{"attachments":[ { "filename" : "a" } , {"content":{}} ]}`,
	`[]`, `[{"user":"a"}]`, `"s"`, `5`, `-1`, `null`, `true`, `false`,
	`{"user":` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `}`,
	`{"toEmail":[` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `]}`,
	`{"attachments":[` + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + `]}`,
	`{"x":` + strings.Repeat(`{"a":`, 5000) + "1" + strings.Repeat("}", 5000) + `}`,
	`{"user":"me@gmail.com","password":"abcd efgh ijkl mnop","fromUsername":"홍길동","toEmail":"you@example.com",` +
		`"subject":"안녕하세요","message":"<p>hi</p>","text":"hi","attachments":[{"filename":"a.txt","contentType":"text/plain","content":"YQ=="}],` +
		`"credential":null,"accessToken":null,"idempotencyKey":"k","scheduledAt":"2030-01-01T00:00:00Z"}`,
}

// corpusBodies are the committed FuzzDecodeValidate inputs.
func corpusBodies(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzDecodeValidate", "*"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fuzz corpus: %v", err)
	}
	var out []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
		arg := strings.TrimSuffix(strings.TrimPrefix(lines[len(lines)-1], "[]byte("), ")")
		body, err := strconv.Unquote(arg)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, body)
	}
	return out
}

// wantSameShape asserts checkShape answers body exactly as the json.Decoder
// walk does: both accept it, or both refuse it with the same field and words.
func wantSameShape(t *testing.T, body []byte) {
	t.Helper()
	got, want := checkShape(body), decoderShape(body)
	if (got == nil) != (want == nil) {
		t.Fatalf("%.200q: checkShape %v, Decoder walk %v", body, got, want)
	}
	if got == nil {
		return
	}
	g, w := AsError(got), AsError(want)
	if g.Code != w.Code || g.Field != w.Field || g.Message != w.Message {
		t.Fatalf("%.200q:\n checkShape   %s %q %q\n Decoder walk %s %q %q", body, g.Code, g.Field, g.Message, w.Code, w.Field, w.Message)
	}
}

// TestShapeWalksAgree ensures the in-place walk of valid JSON refuses and
// accepts exactly what the json.Decoder walk does, on hand-picked bodies and
// the fuzz corpus.
func TestShapeWalksAgree(t *testing.T) {
	valid := 0
	for _, b := range shapeBodies {
		if !json.Valid([]byte(b)) {
			t.Fatalf("hand-picked body is not valid JSON, so it tests nothing: %.80q", b)
		}
		wantSameShape(t, []byte(b))
	}
	for _, b := range corpusBodies(t) {
		if json.Valid([]byte(b)) {
			valid++
		}
		wantSameShape(t, []byte(b))
	}
	if valid == 0 {
		t.Fatal("no valid JSON in the fuzz corpus")
	}
}

// TestShapeWalksAgreeOnGeneratedBodies ensures both walks agree on many
// random bodies made of the request's own keys (exact, case-folded,
// escaped, repeated or unknown) holding values of every type.
func TestShapeWalksAgreeOnGeneratedBodies(t *testing.T) {
	rnd := rand.New(rand.NewSource(16))
	for range 5000 {
		var b strings.Builder
		genObject(rnd, &b, requestFields, 0)
		body := []byte(b.String())
		if !json.Valid(body) {
			t.Fatalf("generated invalid JSON %q", body)
		}
		wantSameShape(t, body)
	}
}

func genObject(rnd *rand.Rand, b *strings.Builder, known fieldSet, depth int) {
	b.WriteString("{")
	for i := range rnd.Intn(5) {
		if i > 0 {
			b.WriteString([]string{",", " ,\n\t"}[rnd.Intn(2)])
		}
		key := known[rnd.Intn(len(known))].name
		switch rnd.Intn(8) {
		case 0:
			key = strings.ToUpper(key[:1]) + key[1:]
		case 1:
			key = key + "s"
		case 2:
			key = `\u00` + strconv.FormatInt(int64(key[0]), 16) + key[1:]
		case 3:
			key = `x\"` + key
		}
		b.WriteString(`"` + key + `":`)
		genValue(rnd, b, depth)
	}
	b.WriteString("}")
}

func genValue(rnd *rand.Rand, b *strings.Builder, depth int) {
	if depth > 3 {
		b.WriteString("null")
		return
	}
	switch rnd.Intn(10) {
	case 0:
		b.WriteString("null")
	case 1:
		b.WriteString([]string{"0", "-1.5e3", "true", "false"}[rnd.Intn(4)])
	case 2, 3:
		b.WriteString(`"a\"b\\` + strings.Repeat(`\\`, rnd.Intn(3)) + `"`)
	case 4, 5:
		b.WriteString("[")
		for i := range rnd.Intn(4) {
			if i > 0 {
				b.WriteString(",")
			}
			if rnd.Intn(3) == 0 {
				genValue(rnd, b, depth+1)
			} else {
				b.WriteString(`"a@x.com"`)
			}
		}
		b.WriteString("]")
	case 6:
		b.WriteString("[")
		for i := range rnd.Intn(3) {
			if i > 0 {
				b.WriteString(",")
			}
			genObject(rnd, b, attachmentFields, depth+1)
		}
		b.WriteString("]")
	case 7:
		genObject(rnd, b, attachmentFields, depth+1)
	default:
		b.WriteString(`"plain"`)
	}
}

// FuzzShapeWalksAgree ensures both walks answer any body alike; its seeds
// are the hand-picked bodies but the deeply nested ones, which only slow
// the fuzzer down.
func FuzzShapeWalksAgree(f *testing.F) {
	for _, b := range shapeBodies {
		if len(b) < 1000 {
			f.Add([]byte(b))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !utf8.Valid(body) {
			return // DecodeRequest refuses it before any walk
		}
		wantSameShape(t, body)
	})
}

// TestValidShapeAllocatesAlmostNothing ensures walking a valid request's
// shape copies none of its values: the only allocation left is the name of
// each attachment ("attachments[0]"). (json.Valid before it allocates
// nothing either, but its pooled scanner does under -race, which drops
// pooled items at random.)
func TestValidShapeAllocatesAlmostNothing(t *testing.T) {
	body := []byte(`{"user":"me@gmail.com","password":"p","toEmail":["a@x.com","b@x.com"],"subject":"안녕",` +
		`"message":"` + strings.Repeat("<p>x</p>", 10000) + `","attachments":[{"filename":"a.pdf","content":"` +
		strings.Repeat("QUFB", 30000) + `"}]}`)
	if !json.Valid(body) || validShape(body) != nil {
		t.Fatal("the request is not a valid one")
	}
	if n := testing.AllocsPerRun(20, func() { _ = validShape(body) }); n > 1 {
		t.Fatalf("validShape allocated %v times per valid request, want at most 1", n)
	}
	// checkShape must take that walk: the Decoder walk allocates over a
	// hundred times on this body.
	if n := testing.AllocsPerRun(20, func() { _ = checkShape(body) }); n > 8 {
		t.Fatalf("checkShape allocated %v times per valid request; it does not walk valid JSON in place", n)
	}
}

// TestFieldSetsFitTheSeenMask ensures every object's keys fit the uint32
// both walks record used keys in.
func TestFieldSetsFitTheSeenMask(t *testing.T) {
	for _, s := range []fieldSet{requestFields, attachmentFields} {
		if len(s) > 32 {
			t.Fatalf("%d fields; the seen mask holds 32", len(s))
		}
	}
}
