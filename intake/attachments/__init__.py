"""Photos and documents sent with a proposal (SPEC section 2): what a file is and its clean
copy (:mod:`.inspect`), where files are kept (:mod:`.storage`), the actions on them
(:mod:`.operations`) and what each audience sees of them (:mod:`.shapes`)."""

from .inspect import MAX_BYTES, MAX_FILES, CleanFile, Refused, clean
from .storage import FolderStorage, Storage, folder_storage

__all__ = ["MAX_BYTES", "MAX_FILES", "CleanFile", "FolderStorage", "Refused", "Storage",
           "clean", "folder_storage"]
