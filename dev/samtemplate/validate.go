package samtemplate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/dlclark/regexp2"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// ecmaRegexp runs the schema's patterns with an ECMAScript engine: one of
// them uses a look-ahead (^(?!AWS::Serverless::).+$) that Go's regexp
// cannot compile.
type ecmaRegexp struct{ re *regexp2.Regexp }

func (r ecmaRegexp) MatchString(s string) bool {
	ok, err := r.re.MatchString(s)
	return err == nil && ok
}

func (r ecmaRegexp) String() string { return r.re.String() }

func compileECMA(s string) (jsonschema.Regexp, error) {
	re, err := regexp2.Compile(s, regexp2.ECMAScript)
	if err != nil {
		return nil, err
	}
	return ecmaRegexp{re}, nil
}

// Validate checks a loaded template against the SAM JSON Schema file.
func Validate(schemaPath string, template map[string]any) error {
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("samtemplate: schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.UseRegexpEngine(compileECMA)
	if err := c.AddResource("sam.schema.json", doc); err != nil {
		return err
	}
	sch, err := c.Compile("sam.schema.json")
	if err != nil {
		return fmt.Errorf("samtemplate: compiling schema: %w", err)
	}
	// Round-trip through JSON so numbers have the types the validator expects.
	b, err := json.Marshal(template)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}
