//! Bytes on disk → text: UTF-8 (with or without BOM), UTF-16 with a BOM, else the encoding `chardetng` guesses
//! (Windows-1252 / Latin-1 in practice), so that legacy files are decoded rather than rejected.

/// Text decoded from a file, and the encoding it was read as.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// WHATWG name of the encoding used (`UTF-8`, `windows-1252`, …).
    pub encoding: &'static str,
}

/// Decodes `bytes`. Fails only when the bytes look like a binary file (NUL or many control characters).
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    let (text, encoding) = if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        (text.into_owned(), enc.name())
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.to_string(), "UTF-8")
    } else {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        let enc = detector.guess(None, chardetng::Utf8Detection::Deny);
        let (text, _, _) = enc.decode(bytes);
        (text.into_owned(), enc.name())
    };
    if looks_binary(&text) {
        return Err(format!(
            "not a text file (read as {encoding}, it holds control characters)"
        ));
    }
    Ok(Decoded { text, encoding })
}

fn looks_binary(text: &str) -> bool {
    let total = text.chars().count().max(1);
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    text.contains('\0') || control * 20 > total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_passes_through() {
        let d = decode("Le café de l’été".as_bytes()).unwrap();
        assert_eq!(d.text, "Le café de l’été");
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn windows_1252_is_decoded() {
        // "Le député a déclaré « non » à l’été" in Windows-1252
        let (bytes, _, _) = encoding_rs::WINDOWS_1252
            .encode("Le député a déclaré « non » à l’été dernier, selon la préfecture.");
        let d = decode(&bytes).unwrap();
        assert_eq!(
            d.text,
            "Le député a déclaré « non » à l’été dernier, selon la préfecture."
        );
        assert_eq!(d.encoding, "windows-1252");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xff, 0xfe];
        for u in "Hello".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode(&bytes).unwrap().text, "Hello");
    }

    #[test]
    fn binary_is_refused() {
        assert!(decode(&[0x00, 0x01, 0x02, 0x9f, 0x00]).is_err());
    }
}
