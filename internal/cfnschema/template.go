package cfnschema

import (
	"encoding/json"
	"fmt"
)

// Body is the template document.
func (tm *Template) Body(project, stack string) map[string]any {
	res := make(map[string]any, len(tm.Resources))
	for id, e := range tm.Resources {
		entry := map[string]any{"Type": e.Type, "Metadata": map[string]any{"PulumiURN": e.URN}}
		if len(e.Properties) > 0 {
			entry["Properties"] = e.Properties
		}
		res[id] = entry
	}
	return map[string]any{
		"AWSTemplateFormatVersion": "2010-09-09",
		"Description":              fmt.Sprintf("%s/%s in %s: the resources of a synth run, translated for cfn-lint by internal/cfnschema (not deployable)", project, stack, tm.Region),
		"Resources":                res,
	}
}

// JSON is the template document, indented (one property per line, so
// cfn-lint's line numbers point at a property).
func (tm *Template) JSON(project, stack string) ([]byte, error) {
	return json.MarshalIndent(tm.Body(project, stack), "", "  ")
}

// FileName is the file a template is written to: <project>-<stack>-<region>.json.
func (tr *Translation) FileName(tm *Template) string {
	return fmt.Sprintf("%s-%s-%s.json", tr.Project, tr.Stack, tm.Region)
}

// Origin is the captured resource a template location comes from: the
// merged resource that contributed the property, or the entry's own.
func (tr *Translation) Origin(region, logicalID string, path []string) (Item, bool) {
	var tm *Template
	for _, x := range tr.Templates {
		if x.Region == region {
			tm = x
		}
	}
	if tm == nil || tm.Resources[logicalID] == nil {
		return Item{}, false
	}
	e := tm.Resources[logicalID]
	urn := e.URN
	if len(path) > 0 {
		if len(path) > 1 {
			if u, ok := e.origin[path[0]+"/"+path[1]]; ok {
				urn = u
			} else if u, ok := e.origin[path[0]]; ok {
				urn = u
			}
		} else if u, ok := e.origin[path[0]]; ok {
			urn = u
		}
	}
	for _, it := range tr.Items {
		if it.URN == urn {
			return it, true
		}
	}
	return Item{}, false
}
