import Foundation

extension UUID {
    /// A UUID that is always the same for the same name (two 64-bit FNV-1a hashes, marked as a
    /// version 8 UUID): for messages whose identity is the fact they state, so that stating the
    /// fact again yields the same `message_id` and consumers' inboxes drop the copy.
    public init(derivedFrom name: String) {
        func fnv1a(_ seed: UInt64) -> UInt64 {
            var hash: UInt64 = seed
            for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return hash
        }
        let high = fnv1a(0xcbf2_9ce4_8422_2325), low = fnv1a(0x84222325_cbf29ce4)
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: high >> (56 - 8 * UInt64(i))) }
        for i in 0..<8 { bytes[8 + i] = UInt8(truncatingIfNeeded: low >> (56 - 8 * UInt64(i))) }
        bytes[6] = (bytes[6] & 0x0f) | 0x80  // version 8: custom
        bytes[8] = (bytes[8] & 0x3f) | 0x80  // RFC 4122 variant
        self.init(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                         bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
