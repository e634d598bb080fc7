package newsmon

// Party is an entry of the gazetteer that names the parties of agreements,
// as configured in a [[party]] table: a country, an organisation or a
// company, with its names and abbreviations per language. A ministry or a
// company may name the Country it belongs to; then an agreement it signs
// counts for that country too (a ministry stands for its country only).
// Exclude lists phrases in which an alias names no party ("Baku-Tbilisi-
// Ceyhan" is a pipeline, "FC Astana" a football club).
type Party struct {
	Name    string              `toml:"name"` // the normalised name shown to users
	Kind    string              `toml:"kind"` // country | organisation | company | ministry
	Country string              `toml:"country"`
	Aliases map[string][]string `toml:"aliases"` // language code → names, demonyms, capitals used as metonyms
	Exclude map[string][]string `toml:"exclude"` // language code → phrases in which aliases name no party
}

// Party kinds.
const (
	PartyCountry      = "country"
	PartyOrganisation = "organisation"
	PartyCompany      = "company"
	PartyMinistry     = "ministry"
)
