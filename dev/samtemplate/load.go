// Package samtemplate reads template.yaml the way CloudFormation does:
// YAML short-form intrinsics (!Ref, !GetAtt, !Sub, …) become their JSON
// forms ({"Ref": …}, {"Fn::GetAtt": […]}), so the template can be checked
// against the official SAM JSON Schema and inspected in tests. Decoding
// into `any` directly would silently drop the tags.
package samtemplate

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Load reads and expands a template file.
func Load(path string) (map[string]any, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	v, err := expand(&doc)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("samtemplate: %s is not a mapping", path)
	}
	return m, nil
}

func expand(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		return expand(n.Content[0])
	case yaml.AliasNode:
		return expand(n.Alias)
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return intrinsic(n)
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			v, err := expand(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[n.Content[i].Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := expand(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	}
	return scalar(n)
}

// scalar keeps YAML's types: numbers and booleans are not strings to the
// schema.
func scalar(n *yaml.Node) (any, error) {
	switch n.Tag {
	case "!!int":
		return strconv.ParseInt(n.Value, 0, 64)
	case "!!float":
		return strconv.ParseFloat(n.Value, 64)
	case "!!bool":
		return strconv.ParseBool(n.Value)
	case "!!null":
		return nil, nil
	}
	return n.Value, nil
}

// intrinsic turns "!Name value" into {"Fn::Name": value}; !Ref and
// !Condition keep their own keys, and !GetAtt's "A.B" becomes ["A", "B"].
func intrinsic(n *yaml.Node) (any, error) {
	name := strings.TrimPrefix(n.Tag, "!")
	plain := *n
	plain.Tag = ""
	switch n.Kind {
	case yaml.ScalarNode:
		plain.Tag = "!!str"
	case yaml.MappingNode:
		plain.Tag = "!!map"
	case yaml.SequenceNode:
		plain.Tag = "!!seq"
	}
	v, err := expand(&plain)
	if err != nil {
		return nil, err
	}
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}, nil
	case "GetAtt":
		if s, ok := v.(string); ok {
			resource, attr, found := strings.Cut(s, ".")
			if !found {
				return nil, fmt.Errorf("samtemplate: !GetAtt %q needs Resource.Attribute", s)
			}
			v = []any{resource, attr}
		}
	}
	return map[string]any{"Fn::" + name: v}, nil
}
