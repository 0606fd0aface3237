// HDF5File.swift — the one Swift file that talks to libhdf5: float datasets and string attributes.
import CHDF5
import Foundation

/// A failure reading or writing HDF5, with the file and the object it concerns.
public struct HDF5Error: Error, CustomStringConvertible, Equatable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// An open HDF5 file. Reads float32 datasets (as Float) and string attributes in both the
/// fixed-length form (h5py 2.x, Keras) and the variable-length form (h5py ≥ 3).
final class HDF5File {
    let path: String
    private var id: hid_t

    private static let silence: Void = { shim_H5_silence_errors() }()

    /// Opens an existing file read-only, refusing anything that is not HDF5.
    init(readingFrom path: String) throws {
        _ = HDF5File.silence
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw HDF5Error("\(path): no such file")
        }
        guard !isDirectory.boolValue else {
            throw HDF5Error("\(path): is a folder (expected an HDF5 file, e.g. a tf_model.h5)")
        }
        let probe = open(path, O_RDONLY | O_NONBLOCK)
        guard probe >= 0 else { throw HDF5Error("\(path): cannot read (\(String(cString: strerror(errno))))") }
        var info = stat()
        let isRegular = fstat(probe, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
        Glibc.close(probe)
        guard isRegular else { throw HDF5Error("\(path): not a regular file (expected an HDF5 file, e.g. a tf_model.h5)") }
        guard H5Fis_hdf5(path) > 0 else {
            throw HDF5Error("\(path): not an HDF5 file (expected HDF5, e.g. a tf_model.h5 or a Lethe checkpoint)")
        }
        id = H5Fopen(path, shim_H5F_ACC_RDONLY(), shim_H5P_DEFAULT())
        guard id >= 0 else { throw HDF5Error("\(path): cannot open as HDF5 (truncated or damaged?)") }
    }

    /// Creates (truncates) a file for writing. Messages name `reportedAs` (the file being saved, not
    /// its temporary).
    init(creating path: String, reportedAs: String? = nil, exclusive: Bool = false) throws {
        _ = HDF5File.silence
        self.path = reportedAs ?? path
        errno = 0
        id = H5Fcreate(path, exclusive ? shim_H5F_ACC_EXCL() : shim_H5F_ACC_TRUNC(), shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
        guard id >= 0 else {
            throw HDF5Error("\(self.path): cannot create the file" + (errno != 0 ? " (\(String(cString: strerror(errno))))" : ""))
        }
    }

    deinit { close() }

    func close() {
        if id >= 0 { H5Fclose(id); id = -1 }
    }

    // MARK: - Structure

    /// Every dataset under `group` (recursively), as paths relative to the file root without the leading `/`.
    func datasetPaths(under group: String = "/") throws -> [String] {
        var result: [String] = []
        var visited = Set<Int64>()
        try collect(group: group, into: &result, visited: &visited)
        return result
    }

    /// Walks hard links only, each object once: soft and external links are refused (they can read
    /// from other files or loop), and a group reached twice is a cycle.
    private func collect(group: String, into result: inout [String], visited: inout Set<Int64>) throws {
        let gid = H5Gopen2(id, group, shim_H5P_DEFAULT())
        guard gid >= 0 else { throw HDF5Error("\(path): cannot open group \(group)") }
        defer { H5Gclose(gid) }
        guard visited.insert(shim_object_address(gid)).inserted else {
            throw HDF5Error("\(path): group \(group) links back to a group above it (expected a tree of groups)")
        }
        guard visited.count <= 100_000 else { throw HDF5Error("\(path): more than 100,000 groups (expected a model file)") }
        var list = shim_name_list(names: nil, count: 0, capacity: 0, skipped: 0)
        defer { shim_free_name_list(&list) }
        guard shim_list_links(gid, &list) == 0 else { throw HDF5Error("\(path): cannot list group \(group)") }
        guard list.skipped == 0 else {
            throw HDF5Error("\(path): group \(group) has \(list.skipped) soft or external link(s) (expected data stored in this file)")
        }
        let prefix = group == "/" ? "" : (group.hasPrefix("/") ? String(group.dropFirst()) : group) + "/"
        for i in 0..<list.count {
            guard let cName = list.names[i] else { continue }
            let name = prefix + String(cString: cName)
            let oid = H5Oopen(id, "/" + name, shim_H5P_DEFAULT())
            guard oid >= 0 else { throw HDF5Error("\(path): cannot open object /\(name)") }
            let kind = H5Iget_type(oid)
            H5Oclose(oid)
            if kind == H5I_GROUP { try collect(group: "/" + name, into: &result, visited: &visited) }
            else if kind == H5I_DATASET { result.append(name) }
        }
    }

    /// Every link on the way to `objectPath` must be a hard link: a soft or external link could read
    /// another file (or a FIFO, and hang), which a model file has no business doing.
    private func requireHardLinks(_ objectPath: String) throws {
        var partial = ""
        for component in objectPath.split(separator: "/") {
            partial += "/" + component
            if shim_link_is_hard(id, partial) == 0 {
                throw HDF5Error("\(path): \(partial) is a soft or external link (expected data stored in this file)")
            }
        }
    }

    func exists(_ objectPath: String) -> Bool {
        // Check each prefix: H5Lexists fails (not just returns 0) when an intermediate link is missing.
        var partial = ""
        for component in objectPath.split(separator: "/") {
            partial += "/" + component
            if H5Lexists(id, partial, shim_H5P_DEFAULT()) <= 0 { return false }
        }
        return true
    }

    // MARK: - Datasets

    /// Opens a dataset for reading its values and checks it is safe to: stored in this file (no
    /// external files, no virtual layout that pulls data from elsewhere) and not declaring more
    /// values than the file holds (a few bytes must not make Lethe allocate gigabytes).
    /// Returns the open dataset, its shape and the element count; the caller closes the dataset.
    private func openForReading(_ datasetPath: String, elementSize: Int) throws -> (dset: hid_t, shape: [Int], count: Int) {
        try requireHardLinks(datasetPath)
        let dset = H5Dopen2(id, datasetPath, shim_H5P_DEFAULT())
        guard dset >= 0 else { throw HDF5Error("\(path): dataset \(datasetPath) not found") }
        do {
            let plist = H5Dget_create_plist(dset)
            defer { H5Pclose(plist) }
            if H5Pget_external_count(plist) > 0 {
                throw HDF5Error("\(path): dataset \(datasetPath) keeps its data in external files (expected data stored in this file)")
            }
            let layout = H5Pget_layout(plist)
            if layout == H5D_VIRTUAL {
                throw HDF5Error("\(path): dataset \(datasetPath) is a virtual dataset (expected data stored in this file)")
            }
            let shape = try extent(of: dset, datasetPath)
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw HDF5Error("\(path): dataset \(datasetPath) declares shape \(shape), too many values to hold") }
                count = product
            }
            let bytes = count.multipliedReportingOverflow(by: elementSize)
            let limit = Int(clamping: ProcessInfo.processInfo.physicalMemory / 2)
            guard !bytes.overflow, bytes.partialValue <= limit else {
                throw HDF5Error("\(path): dataset \(datasetPath) declares shape \(shape) (\(bytes.partialValue / 1_000_000) MB), more than half this machine's memory")
            }
            // Uncompressed data must be in the file: storage smaller than the shape means a lie or a truncation.
            let stored = Int(clamping: H5Dget_storage_size(dset))
            let typeID = H5Dget_type(dset)
            let fileElementSize = Int(H5Tget_size(typeID))
            H5Tclose(typeID)
            let needed = count.multipliedReportingOverflow(by: max(fileElementSize, 1))
            if H5Pget_nfilters(plist) == 0 && layout != H5D_COMPACT && count > 0 && (needed.overflow || stored < needed.partialValue) {
                throw HDF5Error("\(path): dataset \(datasetPath) declares shape \(shape) but the file stores only \(stored) bytes of it (truncated or damaged?)")
            }
            return (dset, shape, count)
        } catch {
            H5Dclose(dset)
            throw error
        }
    }

    /// A dataset's shape, without reading its values.
    func shape(of datasetPath: String) throws -> [Int] {
        try requireHardLinks(datasetPath)
        let dset = H5Dopen2(id, datasetPath, shim_H5P_DEFAULT())
        guard dset >= 0 else { throw HDF5Error("\(path): dataset \(datasetPath) not found") }
        defer { H5Dclose(dset) }
        return try extent(of: dset, datasetPath)
    }

    private func extent(of dset: hid_t, _ datasetPath: String) throws -> [Int] {
        let space = H5Dget_space(dset)
        defer { H5Sclose(space) }
        let rank = Int(H5Sget_simple_extent_ndims(space))
        guard rank >= 0 else { throw HDF5Error("\(path): dataset \(datasetPath) has an unreadable shape") }
        var dims = [hsize_t](repeating: 0, count: rank)
        if rank > 0 { H5Sget_simple_extent_dims(space, &dims, nil) }
        return dims.map { Int(clamping: $0) }
    }

    /// Reads a float dataset: its shape and values converted to Float32. Refuses non-float data.
    func readFloats(_ datasetPath: String) throws -> (shape: [Int], values: [Float]) {
        try read(datasetPath, as: Float.self, typeClass: H5T_FLOAT, memoryType: shim_H5T_NATIVE_FLOAT(), expected: "float32")
    }

    /// Reads an integer dataset (any integer width) as Int64. Refuses non-integer data.
    func readIntegers(_ datasetPath: String) throws -> (shape: [Int], values: [Int64]) {
        try read(datasetPath, as: Int64.self, typeClass: H5T_INTEGER, memoryType: shim_H5T_NATIVE_INT64(), expected: "integers")
    }

    private func read<T: Numeric>(_ datasetPath: String, as: T.Type, typeClass: H5T_class_t, memoryType: hid_t, expected: String) throws -> (shape: [Int], values: [T]) {
        let (dset, shape, count) = try openForReading(datasetPath, elementSize: MemoryLayout<T>.size)
        defer { H5Dclose(dset) }
        let type = H5Dget_type(dset)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == typeClass else {
            throw HDF5Error("\(path): dataset \(datasetPath) holds the wrong kind of number (expected \(expected))")
        }
        var values = [T](repeating: 0, count: count)
        let status = values.withUnsafeMutableBytes { buffer in
            H5Dread(dset, memoryType, shim_H5S_ALL(), shim_H5S_ALL(), shim_H5P_DEFAULT(), buffer.baseAddress)
        }
        guard status >= 0 else { throw HDF5Error("\(path): cannot read dataset \(datasetPath) (file truncated or damaged?)") }
        return (shape, values)
    }

    /// Writes a float32 dataset, creating intermediate groups as h5py does for names with `/`.
    func writeFloats(_ datasetPath: String, shape: [Int], values: [Float]) throws {
        try write(datasetPath, shape: shape, fileType: shim_H5T_IEEE_F32LE(), memoryType: shim_H5T_NATIVE_FLOAT(), bytes: values)
    }

    /// Writes an int64 dataset.
    func writeIntegers(_ datasetPath: String, shape: [Int], values: [Int64]) throws {
        try write(datasetPath, shape: shape, fileType: shim_H5T_STD_I64LE(), memoryType: shim_H5T_NATIVE_INT64(), bytes: values)
    }

    private func write<T>(_ datasetPath: String, shape: [Int], fileType: hid_t, memoryType: hid_t, bytes values: [T]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw HDF5Error("\(path): dataset \(datasetPath) has shape \(shape) but \(values.count) values")
        }
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(shape.count), &dims, nil)
        defer { H5Sclose(space) }
        let lcpl = H5Pcreate(shim_H5P_LINK_CREATE())
        defer { H5Pclose(lcpl) }
        H5Pset_create_intermediate_group(lcpl, 1)
        let dset = H5Dcreate2(id, datasetPath, fileType, space, lcpl, shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
        guard dset >= 0 else { throw HDF5Error("\(path): cannot create dataset \(datasetPath)") }
        defer { H5Dclose(dset) }
        let status = values.withUnsafeBytes { H5Dwrite(dset, memoryType, shim_H5S_ALL(), shim_H5S_ALL(), shim_H5P_DEFAULT(), $0.baseAddress) }
        guard status >= 0 else { throw HDF5Error("\(path): cannot write dataset \(datasetPath)") }
    }

    /// Creates an (empty) group, with intermediate groups.
    func createGroup(_ groupPath: String) throws {
        if exists(groupPath) { return }
        let lcpl = H5Pcreate(shim_H5P_LINK_CREATE())
        defer { H5Pclose(lcpl) }
        H5Pset_create_intermediate_group(lcpl, 1)
        let gid = H5Gcreate2(id, groupPath, lcpl, shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
        guard gid >= 0 else { throw HDF5Error("\(path): cannot create group \(groupPath)") }
        H5Gclose(gid)
    }

    // MARK: - String attributes

    func hasAttribute(_ name: String, on objectPath: String) -> Bool {
        H5Aexists_by_name(id, objectPath, name, shim_H5P_DEFAULT()) > 0
    }

    /// Reads a string attribute (scalar or 1-D; fixed- or variable-length) as a list of strings.
    func stringAttribute(_ name: String, on objectPath: String) throws -> [String] {
        let attr = H5Aopen_by_name(id, objectPath, name, shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
        guard attr >= 0 else { throw HDF5Error("\(path): attribute \(name) not found on \(objectPath)") }
        defer { H5Aclose(attr) }
        let type = H5Aget_type(attr)
        defer { H5Tclose(type) }
        guard H5Tget_class(type) == H5T_STRING else {
            throw HDF5Error("\(path): attribute \(name) on \(objectPath) is not a string")
        }
        let space = H5Aget_space(attr)
        defer { H5Sclose(space) }
        let count = Int(H5Sget_simple_extent_npoints(space))
        guard count >= 0 else { throw HDF5Error("\(path): attribute \(name) has an unreadable shape") }
        let memType = H5Tcopy(shim_H5T_C_S1())
        defer { H5Tclose(memType) }
        if H5Tis_variable_str(type) > 0 {
            H5Tset_size(memType, shim_H5T_VARIABLE())
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: count)
            guard H5Aread(attr, memType, &pointers) >= 0 else { throw HDF5Error("\(path): cannot read attribute \(name)") }
            defer { H5Dvlen_reclaim(memType, space, shim_H5P_DEFAULT(), &pointers) }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = H5Tget_size(type)
        H5Tset_size(memType, size)
        H5Tset_strpad(memType, H5Tget_strpad(type))   // a NULLTERM buffer would drop a NULLPAD string's last byte
        var bytes = [UInt8](repeating: 0, count: count * size)
        guard H5Aread(attr, memType, &bytes) >= 0 else { throw HDF5Error("\(path): cannot read attribute \(name)") }
        return (0..<count).map { i in
            var piece = bytes[(i * size)..<((i + 1) * size)]
            while let last = piece.last, last == 0 || last == 0x20 { piece = piece.dropLast() }   // NULPAD/NULTERM/SPACEPAD
            if let nul = piece.firstIndex(of: 0) { piece = piece[..<nul] }
            return String(decoding: piece, as: UTF8.self)
        }
    }

    /// Writes a 1-D fixed-length string attribute (the h5py 2.x / Keras form, `H5T_STR_NULLPAD`),
    /// or a scalar when `scalar` is set.
    func setStringAttribute(_ name: String, on objectPath: String, _ strings: [String], scalar: Bool = false) throws {
        let size = max(1, strings.map { $0.utf8.count }.max() ?? 1)
        let type = H5Tcopy(shim_H5T_C_S1())
        defer { H5Tclose(type) }
        H5Tset_size(type, size)
        H5Tset_strpad(type, H5T_STR_NULLPAD)
        var dims = [hsize_t(strings.count)]
        let space = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        if hasAttribute(name, on: objectPath) { H5Adelete_by_name(id, objectPath, name, shim_H5P_DEFAULT()) }
        let attr = H5Acreate_by_name(id, objectPath, name, type, space, shim_H5P_DEFAULT(), shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
        guard attr >= 0 else { throw HDF5Error("\(path): cannot create attribute \(name) on \(objectPath)") }
        defer { H5Aclose(attr) }
        var bytes = [UInt8](repeating: 0, count: size * strings.count)
        for (i, s) in strings.enumerated() { for (j, b) in s.utf8.enumerated() { bytes[i * size + j] = b } }
        guard H5Awrite(attr, type, bytes) >= 0 else { throw HDF5Error("\(path): cannot write attribute \(name)") }
    }

    /// Flushes everything to the operating system.
    func flush() throws {
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw HDF5Error("\(path): flush failed") }
    }
}

/// Writes an HDF5 file atomically (``AtomicFile``): an interrupted save leaves any existing file
/// untouched, and the file is never written through a name someone else chose or planted.
func writeHDF5Atomically(to path: String, _ body: (HDF5File) throws -> Void) throws {
    do {
        try AtomicFile.replace(path, bodyCreatesFile: true) { temporary, _ in
            let file = try HDF5File(creating: temporary, reportedAs: path, exclusive: true)
            try body(file)
            try file.flush()
            file.close()
        }
    } catch let error as GPT2Error {
        throw HDF5Error(error.description)
    }
}
