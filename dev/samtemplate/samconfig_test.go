package samtemplate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/gmailsend/gmailsend/dev/fixture"
)

// TestSAMConfigHasNoSurprises ensures samconfig.toml pins no region, overrides no template default, and explains confirm_changeset.
func TestSAMConfigHasNoSurprises(t *testing.T) {
	path := filepath.Join(fixture.ModuleRoot(t), "samconfig.toml")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]map[string]struct {
		Parameters map[string]any `toml:"parameters"`
	}
	if _, err := toml.Decode(string(raw), &cfg); err != nil {
		t.Fatal(err)
	}
	tpl := load(t)
	for env, sections := range cfg {
		for section, s := range sections {
			if _, ok := s.Parameters["region"]; ok {
				t.Errorf("[%s.%s] pins a region: the user's profile must decide", env, section)
			}
			overrides, _ := s.Parameters["parameter_overrides"].(string)
			for _, m := range regexp.MustCompile(`(\w+)="?([^" ]*)"?`).FindAllStringSubmatch(overrides, -1) {
				def := get(tpl, "Parameters", m[1], "Default")
				if fmt.Sprint(def) != m[2] {
					t.Errorf("[%s.%s] overrides %s=%s against the template's (docs/configuration.md's) default %v", env, section, m[1], m[2], def)
				}
			}
		}
	}
	// confirm_changeset is explained by the comment right above it.
	lines := strings.Split(string(raw), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "confirm_changeset") && (i == 0 || !strings.HasPrefix(lines[i-1], "#")) {
			t.Error("confirm_changeset has no comment saying what it does")
		}
	}
}

// TestAllowInlinePasswordAgrees ensures template.yaml's AllowInlinePassword default is the one docs/configuration.md's table states.
func TestAllowInlinePasswordAgrees(t *testing.T) {
	def := fmt.Sprint(get(load(t), "Parameters", "AllowInlinePassword", "Default"))
	row := fmt.Sprintf("| `ALLOW_INLINE_PASSWORD` | `%s` |", def)
	if !strings.Contains(fixture.Doc(t, "docs/configuration.md"), row) {
		t.Fatalf("docs/configuration.md's table lacks %q", row)
	}
}
