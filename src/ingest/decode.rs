//! Bytes on disk → text: UTF-8 (with or without BOM), UTF-16 with a BOM, else the encoding `chardetng` guesses
//! (Windows-1252 / Latin-1 in practice), so that legacy files are decoded rather than rejected.

/// Text decoded from a file, and the encoding it was read as.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// WHATWG name of the encoding used (`UTF-8`, `windows-1252`, …).
    pub encoding: &'static str,
}

/// Encoding name used for UTF-8 text in which a few invalid bytes were replaced by `�`.
pub const UTF8_REPAIRED: &str = "UTF-8 (invalid bytes replaced)";

/// Decodes `bytes`. Fails only when the bytes look like a binary file (a known binary format, NUL bytes or many
/// control characters); the reason says what the file seems to be.
pub fn decode(bytes: &[u8]) -> Result<Decoded, String> {
    if let Some(kind) = binary_signature(bytes) {
        return Err(format!("binary file, not text (it looks like {kind})"));
    }
    let (text, encoding) = if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        (text.into_owned(), enc.name())
    } else if let Some(enc) = utf16_without_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        (text.into_owned(), enc.name())
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        (s.to_string(), "UTF-8")
    } else if mostly_utf8(bytes) {
        (String::from_utf8_lossy(bytes).into_owned(), UTF8_REPAIRED)
    } else {
        let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
        detector.feed(bytes, true);
        let enc = detector.guess(None, chardetng::Utf8Detection::Deny);
        let (text, _, _) = enc.decode(bytes);
        (text.into_owned(), enc.name())
    };
    if let Some(what) = looks_binary(&text) {
        return Err(format!(
            "binary file, not text (read as {encoding}, it holds {what})"
        ));
    }
    Ok(Decoded { text, encoding })
}

/// Well-known binary formats, by their first bytes.
fn binary_signature(bytes: &[u8]) -> Option<&'static str> {
    const SIGNATURES: &[(&[u8], &str)] = &[
        (b"%PDF-", "a PDF document"),
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"PK\x03\x04", "a ZIP archive or an Office document"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"BZh", "a bzip2 archive"),
        (b"\xfd7zXZ\x00", "an xz archive"),
        (b"\x28\xb5\x2f\xfd", "a zstd archive"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"\x7fELF", "an executable"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "an old Office document",
        ),
        (b"SQLite format 3\x00", "an SQLite database"),
        (b"\x00\x00\x00\x0cjP  ", "a JPEG 2000 image"),
        (b"ID3", "an MP3 file"),
        (b"OggS", "an Ogg media file"),
        (b"\x1aE\xdf\xa3", "a WebM/Matroska video"),
        (b"wOFF", "a web font"),
        (b"wOF2", "a web font"),
    ];
    if let Some(&(_, kind)) = SIGNATURES.iter().find(|(sig, _)| bytes.starts_with(sig)) {
        return Some(kind);
    }
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("a WebP image");
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        return Some("an MP4/MOV media file");
    }
    None
}

/// UTF-16 saved without a byte-order mark: most ASCII characters leave every other byte zero.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    if bytes.len() < 8 || bytes.len() % 2 != 0 {
        return None;
    }
    let pairs = bytes.len() / 2;
    let zero_even = bytes.iter().step_by(2).filter(|&&b| b == 0).count();
    let zero_odd = bytes.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
    let enc = if zero_odd * 10 >= pairs * 7 && zero_even * 10 < pairs {
        encoding_rs::UTF_16LE
    } else if zero_even * 10 >= pairs * 7 && zero_odd * 10 < pairs {
        encoding_rs::UTF_16BE
    } else {
        return None;
    };
    // Accept only when the result really is text.
    let (text, had_errors) = enc.decode_without_bom_handling(bytes);
    (!had_errors && looks_binary(&text).is_none()).then_some(enc)
}

/// UTF-8 with a few invalid bytes (a truncated character, one stray Latin-1 byte): decoding the whole file as
/// a legacy encoding would garble every accent, so the bad bytes are replaced instead. Real legacy text has
/// next to no valid multi-byte UTF-8 sequences, so it never passes this test.
fn mostly_utf8(bytes: &[u8]) -> bool {
    let (mut multibyte, mut invalid) = (0usize, 0usize);
    for chunk in bytes.utf8_chunks() {
        multibyte += chunk.valid().chars().filter(|c| c.len_utf8() > 1).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    multibyte >= 2 && invalid <= multibyte
}

/// What makes decoded text look binary, if it does.
fn looks_binary(text: &str) -> Option<&'static str> {
    if text.contains('\0') {
        return Some("NUL characters");
    }
    let total = text.chars().count().max(1);
    let control = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}'))
        .count();
    (control * 20 > total).then_some("many control characters")
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
    fn binary_is_refused_with_what_it_looks_like() {
        let err = decode(&[0x00, 0x01, 0x02, 0x9f, 0x00]).unwrap_err();
        assert!(err.starts_with("binary file, not text (read as "), "{err}");
        assert!(err.ends_with(", it holds NUL characters)"), "{err}");
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend_from_slice(b"IHDR rest of the image");
        assert_eq!(
            decode(&png).unwrap_err(),
            "binary file, not text (it looks like a PNG image)"
        );
    }

    #[test]
    fn utf16_without_bom_is_decoded() {
        let text = "Le pont ouvrira en mars.";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&le).unwrap().text, text);
        assert_eq!(decode(&le).unwrap().encoding, "UTF-16LE");
        assert_eq!(decode(&be).unwrap().text, text);
        assert_eq!(decode(&be).unwrap().encoding, "UTF-16BE");
    }

    #[test]
    fn utf8_with_a_stray_byte_keeps_its_accents() {
        let mut bytes = "Le député a déclaré à l’été ".as_bytes().to_vec();
        bytes.push(0xe9); // a Latin-1 é in the middle of UTF-8
        bytes.extend_from_slice(" dernier.".as_bytes());
        let d = decode(&bytes).unwrap();
        assert_eq!(d.text, "Le député a déclaré à l’été \u{fffd} dernier.");
        assert_eq!(d.encoding, UTF8_REPAIRED);
    }
}
