package newsmon

import (
	"strings"
	"testing"
)

func TestValidateParties(t *testing.T) {
	kz := Party{Name: "Kazakhstan", Kind: PartyCountry, Aliases: map[string][]string{"en": {"Kazakhstan", "Astana"}}}
	tests := []struct {
		name    string
		parties []Party
		want    string // a part of the error message; "" for none
	}{
		{"valid", []Party{kz,
			{Name: "KTZ", Kind: PartyCompany, Country: "Kazakhstan", Aliases: map[string][]string{"en": {"KTZ"}, "ru": {"=КТЖ"}}},
			{Name: "Akorda", Kind: PartyMinistry, Country: "Kazakhstan"}}, ""},
		{"unknown country", []Party{kz, {Name: "KTZ", Kind: PartyCompany, Country: "Kazakstan"}},
			`party[1].country: "Kazakstan": no such party`},
		{"country is no country", []Party{kz, {Name: "KTZ", Kind: PartyCompany, Country: "Kazakhstan"},
			{Name: "X", Kind: PartyCompany, Country: "KTZ"}}, `party[2].country: "KTZ": party[1] is a company, not a country`},
		{"ministry without country", []Party{{Name: "Akorda", Kind: PartyMinistry}}, "party[0].country: empty"},
		{"duplicate name", []Party{kz, kz}, `party[1].name: "Kazakhstan" already names party[0]`},
		{"empty name", []Party{{Kind: PartyCountry}}, "party[0].name: empty"},
		{"unknown kind", []Party{{Name: "Kazakhstan", Kind: "nation"}}, `party[0].kind: "nation"`},
		{"bad language", []Party{{Name: "Kazakhstan", Kind: PartyCountry, Aliases: map[string][]string{"english": {"Kazakhstan"}}}},
			"party[0].aliases.english: want a two-letter language code"},
		{"empty alias", []Party{{Name: "Kazakhstan", Kind: PartyCountry, Aliases: map[string][]string{"en": {"Kazakhstan", "="}}}},
			`party[0].aliases.en[1]: "=": no letters or digits`},
		{"empty exclusion", []Party{{Name: "Kazakhstan", Kind: PartyCountry, Exclude: map[string][]string{"en": {" - "}}}},
			`party[0].exclude.en[0]`},
		{"alias shared by two parties", []Party{kz, {Name: "Air Astana", Kind: PartyCompany, Aliases: map[string][]string{"en": {"astana"}}}},
			`party[1].aliases.en[0]: "astana" is an alias of party[0] (Kazakhstan) too`},
		{"too many words", []Party{{Name: "X", Kind: PartyCountry, Aliases: map[string][]string{"en": {strings.Repeat("a ", 13)}}}},
			"more than 12 words"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{Parties: tt.parties}
			errs := strings.Join(c.validateParties(), "\n")
			switch {
			case tt.want == "" && errs != "":
				t.Errorf("errors %q, want none", errs)
			case tt.want != "" && !strings.Contains(errs, tt.want):
				t.Errorf("errors %q, want one containing %q", errs, tt.want)
			}
		})
	}
}

func TestShippedPartiesValid(t *testing.T) {
	cfg, err := Load("config.toml")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Parties) < 20 {
		t.Errorf("%d parties in config.toml, want the gazetteer", len(cfg.Parties))
	}
}
