// BPETokenizer.swift — GPT-2's byte-level BPE (openai/gpt-2 src/encoder.py, minGPT bpe.py).
//
// Text is split by GPT-2's pre-tokenisation pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// (written out below as a scanner over Unicode scalars), each piece's UTF-8 bytes are mapped to
// printable characters (`bytesToUnicode`: space → 'Ġ', newline → 'Ċ'), and adjacent symbols are
// merged by rank until no ranked pair remains.
import Foundation

public final class BPETokenizer: @unchecked Sendable {
    public static let endOfTextID: Int32 = 50256
    public static let endOfText = "<|endoftext|>"

    private let tokenStrings: [String]                 // id → token string (byte-mapped characters)
    private let idsByToken: [String: Int32]
    /// (left id, right id) → (rank, merged id): merges as integer pairs, so BPE never builds strings.
    private let merges: [UInt64: (rank: Int32, merged: Int32)]
    private let byteToID: [Int32]                      // each byte's single-symbol token id
    private let byteForScalar: [UInt32: UInt8]
    private var cache: [String: [Int32]] = [:]
    private let cacheLock = NSLock()

    public var vocabularySize: Int { tokenStrings.count }
    /// A hash of the vocabulary and merge files: two tokenizers with the same fingerprint tokenize
    /// alike (caches of token ids are keyed on it).
    public let fingerprint: UInt64

    /// Loads `encoder.json` + `vocab.bpe` (OpenAI's names) or `vocab.json` + `merges.txt` (Hugging Face's).
    public init(directory: String) throws {
        let fm = FileManager.default
        func file(_ names: [String]) -> String? { names.map { directory + "/" + $0 }.first { fm.fileExists(atPath: $0) } }
        guard let vocabPath = file(["encoder.json", "vocab.json"]), let mergesPath = file(["vocab.bpe", "merges.txt"]) else {
            throw GPT2Error("\(directory): expected encoder.json + vocab.bpe (or vocab.json + merges.txt)")
        }
        guard let vocabData = fm.contents(atPath: vocabPath),
              let vocab = try? JSONDecoder().decode([String: Int32].self, from: vocabData) else {
            throw GPT2Error("\(vocabPath): not a JSON object of token → id")
        }
        guard let mergesText = try? String(contentsOfFile: mergesPath, encoding: .utf8) else {
            throw GPT2Error("\(mergesPath): unreadable (expected the BPE merge list)")
        }
        // Ids must number the tokens 0..<count, as GPT-2's do: an id is an index into tables sized by
        // it, so a single id of 2e9 must not make Lethe allocate 2e9 strings.
        var strings = [String](repeating: "", count: vocab.count)
        var seen = [Bool](repeating: false, count: vocab.count)
        for (token, id) in vocab {
            guard id >= 0, Int(id) < vocab.count else {
                throw GPT2Error("\(vocabPath): token \(token.debugDescription) has id \(id) (expected ids 0..<\(vocab.count), one per token)")
            }
            guard !seen[Int(id)] else { throw GPT2Error("\(vocabPath): id \(id) is given to two tokens (expected one id per token)") }
            seen[Int(id)] = true
            strings[Int(id)] = token
        }
        tokenStrings = strings
        idsByToken = vocab

        let unicodeForByte = BPETokenizer.bytesToUnicode()
        var scalarToByte: [UInt32: UInt8] = [:]
        var byteIDs = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let scalar = unicodeForByte[b]
            scalarToByte[scalar.value] = UInt8(b)
            guard let id = vocab[String(Character(scalar))] else {
                throw GPT2Error("\(vocabPath): byte \(b) has no token (expected GPT-2's byte-level vocabulary)")
            }
            byteIDs[b] = id
        }
        byteForScalar = scalarToByte
        byteToID = byteIDs

        var table: [UInt64: (rank: Int32, merged: Int32)] = [:]
        var rank: Int32 = 0
        for line in mergesText.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#version") { continue }
            let pair = line.split(separator: " ", omittingEmptySubsequences: false)
            guard pair.count == 2 else { throw GPT2Error("\(mergesPath): line '\(line)' is not a pair 'A B'") }
            let (left, right) = (String(pair[0]), String(pair[1]))
            guard let l = vocab[left], let r = vocab[right], let m = vocab[left + right] else {
                throw GPT2Error("\(mergesPath): merge '\(line)' uses tokens missing from \(vocabPath)")
            }
            table[BPETokenizer.key(l, r)] = (rank, m)
            rank += 1
        }
        merges = table
        var hash = fnv1a64(vocabData)
        hash = fnv1a64(Data(mergesText.utf8), seed: hash)
        fingerprint = hash
    }

    /// The GPT-2 tokenizer shipped with Lethe.
    public static func bundled() throws -> BPETokenizer {
        guard let url = Bundle.module.url(forResource: "gpt2-tokenizer", withExtension: nil) else {
            throw GPT2Error("bundled GPT-2 tokenizer files are missing from the installation")
        }
        return try BPETokenizer(directory: url.path)
    }

    @inline(__always) private static func key(_ a: Int32, _ b: Int32) -> UInt64 { UInt64(UInt32(bitPattern: a)) << 32 | UInt64(UInt32(bitPattern: b)) }

    /// GPT-2's reversible byte → printable-character map: printable Latin-1 bytes map to
    /// themselves, the other 68 to U+0100 onwards (so space becomes 'Ġ', newline 'Ċ').
    static func bytesToUnicode() -> [Unicode.Scalar] {
        var printable = Array(33...126) + Array(161...172) + Array(174...255)
        var codes = printable
        var extra = 0
        for b in 0..<256 where !printable.contains(b) {
            printable.append(b)
            codes.append(256 + extra)
            extra += 1
        }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        for (b, c) in zip(printable, codes) { table[b] = Unicode.Scalar(UInt32(c))! }   // all < 0x144: valid scalars
        return table
    }

    // MARK: - Encoding

    /// Token ids for `text`. With `allowSpecial`, the literal `<|endoftext|>` becomes id 50256;
    /// otherwise it is ordinary text (as tiktoken's `encode_ordinary` and openai/gpt-2 do).
    public func encode(_ text: String, allowSpecial: Bool = false) -> [Int32] {
        if allowSpecial && text.contains(BPETokenizer.endOfText) {
            var out: [Int32] = []
            for (i, part) in text.components(separatedBy: BPETokenizer.endOfText).enumerated() {
                if i > 0 { out.append(BPETokenizer.endOfTextID) }
                out += encode(part)
            }
            return out
        }
        var ids: [Int32] = []
        for piece in BPETokenizer.pretokenize(text) { ids += encodePiece(piece) }
        return ids
    }

    /// Encodes a long text, asking `shouldStop` every few thousand pieces (a book takes seconds);
    /// returns nil when it said stop.
    public func encode(_ text: String, shouldStop: () -> Bool) -> [Int32]? {
        var ids: [Int32] = []
        for (index, piece) in BPETokenizer.pretokenize(text).enumerated() {
            if index % 4096 == 0 && shouldStop() { return nil }
            ids += encodePiece(piece)
        }
        return ids
    }

    private func encodePiece(_ piece: Substring.UnicodeScalarView) -> [Int32] {
        let keyString = String(piece)
        cacheLock.lock()
        if let hit = cache[keyString] { cacheLock.unlock(); return hit }
        cacheLock.unlock()
        var word = keyString.utf8.map { byteToID[Int($0)] }
        while word.count > 1 {
            var best: (rank: Int32, index: Int, merged: Int32)? = nil
            for i in 0..<(word.count - 1) {
                if let m = merges[BPETokenizer.key(word[i], word[i + 1])], m.rank < (best?.rank ?? .max) {
                    best = (m.rank, i, m.merged)
                }
            }
            guard let (_, _, merged) = best, let first = best?.index else { break }
            // Merge every occurrence of the best pair, left to right (as encoder.py does).
            let (left, right) = (word[first], word[first + 1])
            var next: [Int32] = []
            next.reserveCapacity(word.count)
            var i = 0
            while i < word.count {
                if i < word.count - 1 && word[i] == left && word[i + 1] == right {
                    next.append(merged); i += 2
                } else {
                    next.append(word[i]); i += 1
                }
            }
            word = next
        }
        cacheLock.lock()
        if cache.count > 100_000 { cache.removeAll(keepingCapacity: true) }
        cache[keyString] = word
        cacheLock.unlock()
        return word
    }

    // MARK: - Decoding

    /// The exact bytes `ids` stand for. Unknown ids are an error, not silently dropped.
    public func decodeBytes(_ ids: [Int32]) throws -> [UInt8] {
        var bytes: [UInt8] = []
        for id in ids {
            guard id >= 0 && Int(id) < tokenStrings.count else {
                throw GPT2Error("decode: token id \(id) outside the vocabulary 0..<\(tokenStrings.count)")
            }
            if id == BPETokenizer.endOfTextID && tokenStrings[Int(id)] == BPETokenizer.endOfText {
                bytes += Array(BPETokenizer.endOfText.utf8); continue
            }
            for scalar in tokenStrings[Int(id)].unicodeScalars {
                guard let b = byteForScalar[scalar.value] else { throw GPT2Error("decode: token \(id) is not byte-level") }
                bytes.append(b)
            }
        }
        return bytes
    }

    /// Text for `ids`; byte sequences that are not valid UTF-8 (a split character) become U+FFFD.
    public func decode(_ ids: [Int32]) -> String {
        let bytes = (try? decodeBytes(ids.filter { $0 >= 0 && Int($0) < tokenStrings.count })) ?? []
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The token string of one id in readable form (`Ġ` shown as a space), for displays. A token that
    /// is a fragment of a character (GPT-2 splits some UTF-8 sequences) shows its bytes, `\xE2\x80`,
    /// where decoding would show only U+FFFD.
    public func tokenText(_ id: Int32) -> String {
        guard let bytes = try? decodeBytes([id]) else { return "<\(id)?>" }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        return bytes.map { $0 < 0x80 ? String(UnicodeScalar($0)) : String(format: "\\x%02X", $0) }.joined()
    }

    public func id(of token: String) -> Int32? { idsByToken[token] }
}

// MARK: - Pre-tokenisation

extension BPETokenizer {
    /// Splits text exactly as GPT-2's regex does (see the file header).
    static func pretokenize(_ text: String) -> [Substring.UnicodeScalarView] {
        let scalars = text.unicodeScalars
        var pieces: [Substring.UnicodeScalarView] = []
        var i = scalars.startIndex
        let end = scalars.endIndex
        func isLetter(_ s: Unicode.Scalar) -> Bool {
            switch s.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
            default: return false
            }
        }
        func isNumber(_ s: Unicode.Scalar) -> Bool {
            switch s.properties.generalCategory {
            case .decimalNumber, .letterNumber, .otherNumber: return true
            default: return false
            }
        }
        func isSpace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }
        func isOther(_ s: Unicode.Scalar) -> Bool { !isSpace(s) && !isLetter(s) && !isNumber(s) }
        func run(from start: String.UnicodeScalarView.Index, while predicate: (Unicode.Scalar) -> Bool) -> String.UnicodeScalarView.Index {
            var j = start
            while j < end && predicate(scalars[j]) { j = scalars.index(after: j) }
            return j
        }

        while i < end {
            let c = scalars[i]
            let next = scalars.index(after: i)
            // 's 't 're 've 'm 'll 'd
            if c == "'" && next < end {
                let n1 = scalars[next]
                let after = scalars.index(after: next)
                if "stmd".unicodeScalars.contains(n1) {
                    pieces.append(scalars[i..<after]); i = after; continue
                }
                if after < end {
                    let pair = String(n1) + String(scalars[after])
                    if ["re", "ve", "ll"].contains(pair) {
                        let stop = scalars.index(after: after)
                        pieces.append(scalars[i..<stop]); i = stop; continue
                    }
                }
            }
            // ' ?' followed by letters, numbers or other symbols
            var start = i
            var first = c
            if c == " " && next < end && !isSpace(scalars[next]) {
                start = next
                first = scalars[next]
            }
            if !isSpace(first) || start != i {
                let predicate: (Unicode.Scalar) -> Bool = isLetter(first) ? isLetter : (isNumber(first) ? isNumber : isOther)
                let stop = run(from: start, while: predicate)
                pieces.append(scalars[i..<stop]); i = stop; continue
            }
            // whitespace: \s+(?!\S) — leave the last space for the next piece when text follows, else \s+
            let stop = run(from: i, while: isSpace)
            if stop == end {
                pieces.append(scalars[i..<stop]); i = stop; continue
            }
            let beforeStop = scalars.index(before: stop)
            if beforeStop > i {
                pieces.append(scalars[i..<beforeStop]); i = beforeStop
            } else {
                pieces.append(scalars[i..<stop]); i = stop
            }
        }
        return pieces
    }
}

/// FNV-1a, 64-bit: a fast content hash for cache keys (not for security). `seed` chains hashes.
public func fnv1a64(_ data: Data, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
    var hash = seed
    data.withUnsafeBytes { raw in
        for byte in raw { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    }
    return hash
}
