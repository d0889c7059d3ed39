package setupcli

import (
	"flag"
	"io"
	"strings"
	"testing"
)

// TestFlagValues ensures list flags split commas and repeat, tag flags need key=value, and positional arguments may sit between flags.
func TestFlagValues(t *testing.T) {
	var (
		g    Globals
		to   listFlag
		tags = tagFlag{}
	)
	fs := newFlagSet("x", io.Discard, &g)
	fs.Var(&to, "to", "")
	fs.Var(tags, "tag", "")
	pos, err := parseInterleaved(fs, []string{"a", "--to", "x@example.com, y@example.com", "b", "--to", "z@example.com", "--tag", "k=v=w", "--smtp-port", "465"})
	if err != nil || strings.Join(pos, " ") != "a b" || to.String() != "x@example.com,y@example.com,z@example.com" ||
		tags["k"] != "v=w" || g.SMTPPort != 465 || g.Prefix != "gmailsend/" {
		t.Fatalf("pos %v to %v tags %v globals %+v err %v", pos, to, tags, g, err)
	}
	if err := tags.Set("=v"); err == nil {
		t.Error("empty tag key accepted")
	}
	strict := flag.NewFlagSet("y", flag.ContinueOnError)
	strict.SetOutput(io.Discard)
	if _, err := parseInterleaved(strict, []string{"--nope"}); err == nil {
		t.Error("unknown flag accepted")
	}
}
