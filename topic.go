package newsmon

// Topic is a subject analysts follow, with its terms per language, as
// configured in a [[topic]] table. Terms maps a language code ("en", "ru")
// to terms; a term is matched case-insensitively on word boundaries.
// Exclude lists phrases in which a term does not count ("corridors of
// power").
type Topic struct {
	Name    string              `toml:"name"`
	Terms   map[string][]string `toml:"terms"`
	Exclude map[string][]string `toml:"exclude"`
}
