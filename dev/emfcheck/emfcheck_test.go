package emfcheck

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var now = time.UnixMilli(1_800_000_000_000)

// valid is the specification's own example shape with two directives.
func valid(ts int64) string {
	return fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[`+
		`{"Namespace":"gmailsend","Dimensions":[["Outcome"],["Source","Outcome"]],"Metrics":[{"Name":"Sends","Unit":"Count"},{"Name":"Duration","Unit":"Milliseconds","StorageResolution":60}]},`+
		`{"Namespace":"gmailsend","Dimensions":[[]],"Metrics":[{"Name":"Samples"}]}]},`+
		`"Outcome":"sent","Source":"sqs","Sends":1,"Duration":12.5,"Samples":[1,2,3],"requestId":"r-1"}`, ts)
}

// TestValidDocumentPasses ensures a document that follows every rule is accepted.
func TestValidDocumentPasses(t *testing.T) {
	if err := Check([]byte(valid(now.UnixMilli())+"\n"), now); err != nil {
		t.Fatal(err)
	}
	if !IsEMF([]byte(valid(now.UnixMilli()))) || IsEMF([]byte(`{"msg":"send"}`)) || IsEMF([]byte("plain text")) {
		t.Fatal("IsEMF misjudges")
	}
}

// TestEveryRuleCanFail ensures each rule of the specification is enforced: a document breaking just that rule is refused, naming it.
func TestEveryRuleCanFail(t *testing.T) {
	ok := valid(now.UnixMilli())
	many := func(n int, f func(i int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = f(i)
		}
		return strings.Join(parts, ",")
	}
	cases := map[string]struct{ doc, want string }{
		"not JSON":              {`{"_aws":`, "not a JSON object"},
		"trailing data":         {ok + ` {}`, "data after"},
		"no _aws":               {`{"Sends":1}`, "no _aws"},
		"extra _aws member":     {strings.Replace(ok, `"Timestamp"`, `"Extra":1,"Timestamp"`, 1), `unknown member "Extra"`},
		"timestamp in seconds":  {valid(now.Unix()), "two weeks"},
		"timestamp in future":   {valid(now.Add(3 * time.Hour).UnixMilli()), "two hours"},
		"timestamp not integer": {strings.Replace(ok, fmt.Sprint(now.UnixMilli()), "1.5", 1), "not an integer"},
		"timestamp missing":     {strings.Replace(ok, fmt.Sprintf(`"Timestamp":%d,`, now.UnixMilli()), "", 1), "Timestamp must be a number"},
		"no directives":         {fmt.Sprintf(`{"_aws":{"Timestamp":%d,"CloudWatchMetrics":[]}}`, now.UnixMilli()), "non-empty array"},
		"bad namespace":         {strings.Replace(ok, `"Namespace":"gmailsend"`, `"Namespace":"gmail send!"`, 1), "invalid Namespace"},
		"AWS namespace":         {strings.Replace(ok, `"Namespace":"gmailsend"`, `"Namespace":"AWS/Lambda"`, 1), "invalid Namespace"},
		"directive extra":       {strings.Replace(ok, `"Namespace":"gmailsend",`, `"Namespace":"gmailsend","Stats":1,`, 1), `unknown member "Stats"`},
		"dimensions missing":    {strings.Replace(ok, `"Dimensions":[["Outcome"],["Source","Outcome"]],`, "", 1), "Dimensions must be an array"},
		"dimension not member":  {strings.Replace(ok, `["Outcome"],`, `["Region"],`, 1), `"Region" is not a top-level string`},
		"dimension not string":  {strings.Replace(ok, `["Outcome"],`, `["Sends"],`, 1), `"Sends" is not a top-level string`},
		"dimension empty value": {strings.Replace(ok, `"Outcome":"sent"`, `"Outcome":" "`, 1), "invalid value"},
		"dimension non-ASCII":   {strings.Replace(ok, `"Outcome":"sent"`, `"Outcome":"발송"`, 1), "invalid value"},
		"dimension colon name":  {strings.Replace(ok, `["Outcome"],`, `[":x"],`, 1), "invalid dimension name"},
		"31 dimensions": {strings.Replace(ok, `["Outcome"],`, "["+many(31, func(int) string { return `"Outcome"` })+"],", 1),
			"31 dimensions, over 30"},
		"no metrics":      {strings.Replace(ok, `"Metrics":[{"Name":"Samples"}]`, `"Metrics":[]`, 1), "1–100"},
		"101 metrics":     {strings.Replace(ok, `"Metrics":[{"Name":"Samples"}]`, `"Metrics":[`+many(101, func(i int) string { return fmt.Sprintf(`{"Name":"m%d"}`, i) })+`]`, 1), "1–100"},
		"bad unit":        {strings.Replace(ok, `"Unit":"Count"`, `"Unit":"count"`, 1), "invalid Unit"},
		"bad storage":     {strings.Replace(ok, `"StorageResolution":60`, `"StorageResolution":30`, 1), "StorageResolution"},
		"metric extra":    {strings.Replace(ok, `{"Name":"Sends",`, `{"Name":"Sends","Max":1,`, 1), `unknown member "Max"`},
		"metric twice":    {strings.Replace(ok, `{"Name":"Duration",`, `{"Name":"Sends",`, 1), "defined twice"},
		"metric no value": {strings.Replace(ok, `"Sends":1,`, "", 1), `"Sends" is not a top-level number`},
		"metric string":   {strings.Replace(ok, `"Sends":1,`, `"Sends":"1",`, 1), `"Sends" is not a top-level number`},
		"101 values": {strings.Replace(ok, `"Samples":[1,2,3]`, `"Samples":[`+many(101, func(int) string { return "1" })+`]`, 1),
			"1–100 numbers"},
		"too large": {strings.Replace(ok, `"requestId":"r-1"`, `"requestId":"`+strings.Repeat("x", 300<<10)+`"`, 1), "log event limit"},
	}
	for name, c := range cases {
		err := Check([]byte(c.doc), now)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error containing %q", name, err, c.want)
		}
	}
}

// TestDecodeListsEverySeries ensures a document yields one series per metric and dimension set, with values and dimensions.
func TestDecodeListsEverySeries(t *testing.T) {
	series, err := Decode([]byte(valid(now.UnixMilli())))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range series {
		got = append(got, s.String())
	}
	want := []string{
		"Duration 12.5 Milliseconds {Outcome=sent}",
		"Duration 12.5 Milliseconds {Source=sqs, Outcome=sent}",
		"Samples 1,2,3 None (no dimension)",
		"Sends 1 Count {Outcome=sent}",
		"Sends 1 Count {Source=sqs, Outcome=sent}",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
