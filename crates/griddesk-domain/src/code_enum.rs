//! `code_enum!` declares a closed classification (tariff category, area type, ...) with a stable
//! storage code and Chinese and English labels, so databases, CSV files and the console all agree
//! on one spelling.

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $field:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $zh:literal, $en:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
                 serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $code)] $variant, )+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code stored in databases and files.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// Parses a storage code, or the Chinese or English label (as found in import files).
            pub fn parse(s: &str) -> Result<Self, $crate::ParseError> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($code) || t == $zh || t.eq_ignore_ascii_case($en) {
                        return Ok($name::$variant);
                    }
                )+
                Err($crate::ParseError::new(
                    $field,
                    format!("unknown value {t:?}; expected one of: {}",
                        [$($code),+].join(", ")),
                ))
            }

            /// Display label in the requested language.
            pub fn label(self, lang: $crate::values::Lang) -> &'static str {
                match (self, lang) {
                    $(
                        ($name::$variant, $crate::values::Lang::Zh) => $zh,
                        ($name::$variant, $crate::values::Lang::En) => $en,
                    )+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> { Self::parse(s) }
        }
    };
}
