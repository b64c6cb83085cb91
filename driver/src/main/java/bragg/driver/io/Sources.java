package bragg.driver.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Opens any supported input, recognising its format by content. */
public final class Sources {
    private Sources() {
    }

    /**
     * Opens a file or folder: .npy, HDF5 (incl. HyperSpy .hspy), Merlin .mib (or its .hdr), NanoMegas .blo,
     * MRC 2014, EDAX .ang, images and image folders
     * by their first bytes; anything else is raw binary and needs a declared shape and dtype.
     */
    public static SampleSource open(Path input, OpenOptions opt) throws IOException {
        if (!Files.exists(input)) throw new NoSuchFileException(input.toString(), null, "no such file or folder");
        if (Files.isDirectory(input)) return ImageSource.open(input, opt);
        if (Files.size(input) == 0) throw new IllegalArgumentException(input + ": file is empty (0 bytes)");
        if (opt.dtype() != null) return RawSource.open(input, opt);
        FileKind k = FileKind.of(input);
        return switch (k) {
            case NPY -> NpySource.open(input, opt);
            case HDF5 -> Hdf5Source.open(input, opt);
            case MIB -> MibSource.open(input, opt);
            case BLO -> BloSource.open(input, opt);
            case MRC -> MrcSource.open(input, opt);
            case ANG -> AngSource.open(input, opt);
            case MIB_HDR -> {
                String n = input.getFileName().toString();
                Path mib = input.resolveSibling(n.replaceAll("\\.[^.]*$", "") + ".mib");
                if (!Files.exists(mib)) throw new NoSuchFileException(input.toString(), null, "a Merlin .hdr header whose frames " + mib + " are missing");
                yield MibSource.open(mib, opt);
            }
            case TIFF, PNG, JPEG, BMP, GIF -> ImageSource.open(input, opt);
            case UNKNOWN -> {
                if (opt.shape() == null) {
                    throw new IllegalArgumentException(input + ": format not recognised from its first bytes (not .npy, HDF5, Merlin .mib, "
                            + "NanoMegas .blo, MRC, EDAX .ang, TIFF, PNG, JPEG, BMP); to read it as raw binary give shape and dtype");
                }
                yield RawSource.open(input, opt);
            }
        };
    }
}
