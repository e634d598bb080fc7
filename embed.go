package newsmon

import _ "embed"

// DefaultConfigTOML is the shipped config.toml, built into the binary so
// that it runs from any directory: the real outlets, the topic dictionaries
// and safe crawler settings.
//
//go:embed config.toml
var DefaultConfigTOML []byte
