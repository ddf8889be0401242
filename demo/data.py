"""The demo country: real kinds of offices in all three time zones, real services with
the documents citizens are actually asked to bring. Addresses and coordinates are close
to the real offices but are demo data, not an official directory."""

from __future__ import annotations

from datetime import time
from typing import TypedDict

# code, default letter, minutes, appointments, walk-ins, fee (rupiah: 0 free, None when it
# depends on the case, explained in the note) and its note id/en, the national service
# standard (number and unit), name id/en, description id/en, requirements id/en (one per
# line). Passport and SIM fees are the published PNBP tariffs; civil registration
# (Dukcapil) documents are free by law.
# A new passport and a renewal cost the same state fee (PNBP) and share one standard.
PASSPORT_FEE_AND_STANDARD: dict[str, object] = {
    "fee_rupiah": 350000,
    "fee_note_id": (
        "Rp350.000 untuk paspor biasa 48 halaman (polikarbonat), Rp650.000 untuk paspor "
        "elektronik (PNBP); dibayar sebelum wawancara."
    ),
    "fee_note_en": (
        "Rp350,000 for an ordinary 48-page passport (polycarbonate), Rp650,000 for an "
        "electronic passport (state fee, PNBP); paid before the interview."
    ),
    "standard_amount": 4,
    "standard_unit": "working_days",
}

SERVICES: list[dict[str, object]] = [
    {
        "code": "paspor-baru",
        "ticket_letter": "A",
        "average_minutes": 15,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        **PASSPORT_FEE_AND_STANDARD,
        "name_id": "Paspor baru",
        "name_en": "New passport",
        "description_id": "Permohonan paspor biasa pertama kali (polikarbonat atau elektronik).",
        "description_en": "First ordinary passport (polycarbonate or electronic).",
        "requirements_id": (
            "KTP-el asli\n"
            "Kartu Keluarga asli\n"
            "Akta kelahiran, ijazah, buku nikah, atau surat baptis asli (salah satu)\n"
            "Bukti pembayaran PNBP"
        ),
        "requirements_en": (
            "Original e-KTP (electronic ID card)\n"
            "Original family card (Kartu Keluarga)\n"
            "Original birth certificate, diploma, marriage book or baptism letter (one of them)\n"
            "Proof of payment of the state fee (PNBP)"
        ),
    },
    {
        "code": "paspor-ganti",
        "ticket_letter": "B",
        "average_minutes": 12,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        **PASSPORT_FEE_AND_STANDARD,
        "name_id": "Penggantian paspor",
        "name_en": "Passport renewal",
        "description_id": "Paspor habis masa berlaku atau halaman penuh.",
        "description_en": "Passport expired or its pages are full.",
        "requirements_id": "KTP-el asli\nPaspor lama\nBukti pembayaran PNBP",
        "requirements_en": "Original e-KTP\nOld passport\nProof of payment of the state fee (PNBP)",
    },
    {
        "code": "paspor-hilang",
        "ticket_letter": "C",
        "average_minutes": 25,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        "fee_rupiah": None,
        "fee_note_id": (
            "Biaya paspor baru (Rp350.000 biasa, Rp650.000 elektronik) ditambah denda PNBP "
            "Rp1.000.000 jika hilang atau Rp500.000 jika rusak; denda dibebaskan bila karena "
            "bencana alam."
        ),
        "fee_note_en": (
            "The passport fee (Rp350,000 ordinary, Rp650,000 electronic) plus a state penalty"
            " of Rp1,000,000 if lost or Rp500,000 if damaged; waived after a natural "
            "disaster."
        ),
        "standard_amount": 4,
        "standard_unit": "working_days",
        "name_id": "Paspor hilang atau rusak",
        "name_en": "Lost or damaged passport",
        "description_id": (
            "Penggantian paspor yang hilang atau rusak; termasuk wawancara dan pemeriksaan."
        ),
        "description_en": (
            "Replacement of a lost or damaged passport, including an interview and checks."
        ),
        "requirements_id": (
            "KTP-el asli\n"
            "Kartu Keluarga asli\n"
            "Surat keterangan hilang dari kepolisian (jika hilang)\n"
            "Paspor yang rusak (jika rusak)\n"
            "Akta kelahiran, ijazah, atau buku nikah asli (salah satu)"
        ),
        "requirements_en": (
            "Original e-KTP\n"
            "Original family card\n"
            "Police report of the loss (if lost)\n"
            "The damaged passport (if damaged)\n"
            "Original birth certificate, diploma or marriage book (one of them)"
        ),
    },
    {
        "code": "ktp-el-rekam",
        "ticket_letter": "A",
        "average_minutes": 10,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        "fee_rupiah": 0,
        "fee_note_id": (
            "Gratis: dokumen kependudukan tidak dipungut biaya (UU Administrasi Kependudukan)."
        ),
        "fee_note_en": (
            "Free: civil registration documents carry no charge (Civil Administration Act)."
        ),
        "standard_amount": None,
        "standard_unit": "same_day",
        "name_id": "Perekaman KTP-el",
        "name_en": "e-KTP recording",
        "description_id": (
            "Perekaman data biometrik untuk KTP-el pertama (usia 17 tahun atau sudah menikah)."
        ),
        "description_en": "Biometric recording for a first e-KTP (age 17, or married).",
        "requirements_id": (
            "Kartu Keluarga (fotokopi)\nSudah berusia 17 tahun atau sudah/pernah menikah"
        ),
        "requirements_en": "Family card (photocopy)\nAged 17 or over, or married now or before",
    },
    {
        "code": "ktp-el-cetak",
        "ticket_letter": "B",
        "average_minutes": 8,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        "fee_rupiah": 0,
        "fee_note_id": (
            "Gratis: dokumen kependudukan tidak dipungut biaya (UU Administrasi Kependudukan)."
        ),
        "fee_note_en": (
            "Free: civil registration documents carry no charge (Civil Administration Act)."
        ),
        "standard_amount": 1,
        "standard_unit": "working_days",
        "name_id": "Cetak ulang KTP-el",
        "name_en": "e-KTP reprint",
        "description_id": "KTP-el rusak, hilang, atau ada perubahan data.",
        "description_en": "e-KTP damaged, lost, or with changed details.",
        "requirements_id": (
            "KTP-el yang rusak, atau surat keterangan hilang dari kepolisian\n"
            "Kartu Keluarga (fotokopi)\n"
            "Dokumen perubahan data (jika ada perubahan)"
        ),
        "requirements_en": (
            "The damaged e-KTP, or a police report of the loss\n"
            "Family card (photocopy)\n"
            "Documents for the changed details (if any)"
        ),
    },
    {
        "code": "kartu-keluarga",
        "ticket_letter": "C",
        "average_minutes": 15,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        "fee_rupiah": 0,
        "fee_note_id": (
            "Gratis: dokumen kependudukan tidak dipungut biaya (UU Administrasi Kependudukan)."
        ),
        "fee_note_en": (
            "Free: civil registration documents carry no charge (Civil Administration Act)."
        ),
        "standard_amount": 1,
        "standard_unit": "working_days",
        "name_id": "Kartu Keluarga (baru atau perubahan)",
        "name_en": "Family card (new or changed)",
        "description_id": (
            "Penerbitan KK baru karena menikah, pisah KK, atau perubahan anggota keluarga."
        ),
        "description_en": (
            "A new family card after marriage, a split household, or a change of members."
        ),
        "requirements_id": (
            "Formulir F-1.01 yang sudah diisi\n"
            "Buku nikah atau akta perkawinan\n"
            "Kartu Keluarga lama\n"
            "Surat keterangan pindah (jika pindah datang)"
        ),
        "requirements_en": (
            "Completed form F-1.01\n"
            "Marriage book or marriage certificate\n"
            "The old family card\n"
            "Certificate of moving (if moving in)"
        ),
    },
    {
        "code": "akta-kelahiran",
        "ticket_letter": "D",
        "average_minutes": 15,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        "fee_rupiah": 0,
        "fee_note_id": (
            "Gratis: dokumen kependudukan tidak dipungut biaya (UU Administrasi Kependudukan)."
        ),
        "fee_note_en": (
            "Free: civil registration documents carry no charge (Civil Administration Act)."
        ),
        "standard_amount": 1,
        "standard_unit": "working_days",
        "name_id": "Akta kelahiran",
        "name_en": "Birth certificate",
        "description_id": "Pencatatan kelahiran dan penerbitan akta kelahiran.",
        "description_en": "Registration of a birth and issue of the birth certificate.",
        "requirements_id": (
            "Surat keterangan lahir dari rumah sakit, puskesmas, atau bidan\n"
            "Kartu Keluarga\n"
            "KTP-el kedua orang tua\n"
            "Buku nikah atau akta perkawinan orang tua\n"
            "Formulir F-2.01"
        ),
        "requirements_en": (
            "Birth letter from the hospital, health centre or midwife\n"
            "Family card\n"
            "Both parents' e-KTP\n"
            "Parents' marriage book or certificate\n"
            "Form F-2.01"
        ),
    },
    {
        "code": "surat-pindah",
        "ticket_letter": "E",
        "average_minutes": 12,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        "fee_rupiah": 0,
        "fee_note_id": (
            "Gratis: dokumen kependudukan tidak dipungut biaya (UU Administrasi Kependudukan)."
        ),
        "fee_note_en": (
            "Free: civil registration documents carry no charge (Civil Administration Act)."
        ),
        "standard_amount": 1,
        "standard_unit": "working_days",
        "name_id": "Surat pindah (SKPWNI)",
        "name_en": "Certificate of moving (SKPWNI)",
        "description_id": "Surat keterangan pindah ke kabupaten/kota atau provinsi lain.",
        "description_en": "Certificate for moving to another regency, city or province.",
        "requirements_id": "Kartu Keluarga asli\nKTP-el\nFormulir F-1.03",
        "requirements_en": "Original family card\ne-KTP\nForm F-1.03",
    },
    {
        "code": "bpjs-daftar",
        "ticket_letter": "A",
        "average_minutes": 15,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        "fee_rupiah": 0,
        "fee_note_id": (
            "Pendaftaran gratis; iuran bulanan per orang sesuai kelas (kelas III Rp42.000, "
            "kelas II Rp100.000, kelas I Rp150.000), pertama kali dibayar setelah virtual "
            "account terbit."
        ),
        "fee_note_en": (
            "Enrolment is free; the monthly contribution per person depends on the class "
            "(class III Rp42,000, class II Rp100,000, class I Rp150,000), first paid once the"
            " virtual account is issued."
        ),
        "standard_amount": None,
        "standard_unit": "same_day",
        "name_id": "Pendaftaran peserta JKN mandiri",
        "name_en": "Self-paying JKN enrolment",
        "description_id": (
            "Pendaftaran peserta BPJS Kesehatan segmen PBPU (mandiri) untuk seluruh anggota "
            "keluarga."
        ),
        "description_en": "BPJS Kesehatan enrolment as a self-paying member, for the whole family.",
        "requirements_id": (
            "KTP-el\n"
            "Kartu Keluarga\n"
            "Nomor rekening bank untuk autodebet\n"
            "Nomor HP dan alamat email aktif"
        ),
        "requirements_en": (
            "e-KTP\n"
            "Family card\n"
            "Bank account number for direct debit\n"
            "An active phone number and email address"
        ),
    },
    {
        "code": "bpjs-ubah-data",
        "ticket_letter": "B",
        "average_minutes": 10,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        "fee_rupiah": 0,
        "fee_note_id": "Gratis.",
        "fee_note_en": "Free.",
        "standard_amount": None,
        "standard_unit": "same_day",
        "name_id": "Perubahan data dan pindah faskes",
        "name_en": "Change of details or health facility",
        "description_id": (
            "Perubahan data peserta, kelas rawat, atau fasilitas kesehatan tingkat pertama."
        ),
        "description_en": "Change of member details, care class, or first-level health facility.",
        "requirements_id": (
            "Kartu JKN-KIS\n"
            "KTP-el\n"
            "Kartu Keluarga\n"
            "Dokumen pendukung perubahan (misalnya akta atau buku nikah)"
        ),
        "requirements_en": (
            "JKN-KIS card\n"
            "e-KTP\n"
            "Family card\n"
            "Supporting documents for the change (e.g. a certificate or marriage book)"
        ),
    },
    {
        "code": "bpjs-informasi",
        "ticket_letter": "C",
        "average_minutes": 8,
        "accepts_appointments": False,
        "accepts_walk_ins": True,
        "fee_rupiah": 0,
        "fee_note_id": "Gratis.",
        "fee_note_en": "Free.",
        "standard_amount": None,
        "standard_unit": "same_day",
        "name_id": "Informasi dan pengaduan JKN",
        "name_en": "JKN information and complaints",
        "description_id": "Pertanyaan tagihan, status kepesertaan, dan pengaduan layanan.",
        "description_en": "Questions on bills and membership status, and service complaints.",
        "requirements_id": "Kartu JKN-KIS atau nomor peserta\nKTP-el",
        "requirements_en": "JKN-KIS card or member number\ne-KTP",
    },
    {
        "code": "sim-perpanjang",
        "ticket_letter": "F",
        "average_minutes": 20,
        "accepts_appointments": True,
        "accepts_walk_ins": True,
        "fee_rupiah": None,
        "fee_note_id": (
            "PNBP Rp80.000 untuk SIM A atau Rp75.000 untuk SIM C; tes kesehatan dan psikologi"
            " dibayar terpisah kepada penyelenggaranya."
        ),
        "fee_note_en": (
            "State fee (PNBP) Rp80,000 for a car licence (A) or Rp75,000 for a motorcycle "
            "licence (C); the medical and psychological tests are paid separately to their "
            "providers."
        ),
        "standard_amount": None,
        "standard_unit": "same_day",
        "name_id": "Perpanjangan SIM",
        "name_en": "Driving licence renewal",
        "description_id": "Perpanjangan SIM A atau C sebelum masa berlaku habis.",
        "description_en": "Renewal of a car (A) or motorcycle (C) licence before it expires.",
        "requirements_id": (
            "KTP-el asli dan fotokopi\n"
            "SIM lama asli dan fotokopi\n"
            "Surat keterangan sehat jasmani\n"
            "Surat keterangan lulus tes psikologi"
        ),
        "requirements_en": (
            "Original e-KTP and a photocopy\n"
            "Original old licence and a photocopy\n"
            "Medical fitness certificate\n"
            "Psychological test certificate"
        ),
    },
]

WEEKDAY_HOURS = (time(8), time(15), time(12), time(13))
FRIDAY_HOURS = (time(8), time(15, 30), time(11, 30), time(13, 30))  # Friday prayer
SATURDAY_HOURS = (time(8), time(12), None, None)

# Each office: its details, weekly hours, the services it offers (code → its letter
# there) and counters (number → service codes it can serve).
OFFICES: list[dict[str, object]] = [
    {
        "code": "kanim-jakarta-pusat",
        "name": "Kantor Imigrasi Kelas I Khusus TPI Jakarta Pusat",
        "kind": "immigration",
        "address": "Jl. Merpati Blok B-12 No. 3, Kemayoran",
        "regency": "Kota Jakarta Pusat",
        "province": "DKI Jakarta",
        "latitude": "-6.155300",
        "longitude": "106.846400",
        "timezone": "Asia/Jakarta",
        "phone": "021-6541209",
        "saturday": False,
        "services": {"paspor-baru": "A", "paspor-ganti": "B", "paspor-hilang": "C"},
        "counters": {
            1: ["paspor-baru", "paspor-ganti"],
            2: ["paspor-baru", "paspor-ganti"],
            3: ["paspor-baru", "paspor-ganti"],
            4: ["paspor-baru"],
            5: ["paspor-ganti", "paspor-hilang"],
            6: ["paspor-hilang"],
            7: ["paspor-baru", "paspor-ganti", "paspor-hilang"],
        },
    },
    {
        "code": "kanim-jayapura",
        "name": "Kantor Imigrasi Kelas I TPI Jayapura",
        "kind": "immigration",
        "address": "Jl. Percetakan Negara No. 15, Gurabesi",
        "regency": "Kota Jayapura",
        "province": "Papua",
        "latitude": "-2.533700",
        "longitude": "140.718100",
        "timezone": "Asia/Jayapura",
        "phone": "0967-533647",
        "saturday": False,
        "services": {"paspor-baru": "A", "paspor-ganti": "B", "paspor-hilang": "C"},
        "counters": {
            1: ["paspor-baru", "paspor-ganti"],
            2: ["paspor-baru", "paspor-ganti", "paspor-hilang"],
            3: ["paspor-ganti", "paspor-hilang"],
        },
    },
    {
        "code": "disdukcapil-bandung",
        "name": "Dinas Kependudukan dan Pencatatan Sipil Kota Bandung",
        "kind": "civil_registry",
        "address": "Jl. Ambon No. 1B, Citarum, Bandung Wetan",
        "regency": "Kota Bandung",
        "province": "Jawa Barat",
        "latitude": "-6.909300",
        "longitude": "107.616400",
        "timezone": "Asia/Jakarta",
        "phone": "022-4209871",
        "saturday": False,
        "services": {
            "ktp-el-rekam": "A",
            "ktp-el-cetak": "B",
            "kartu-keluarga": "C",
            "akta-kelahiran": "D",
            "surat-pindah": "E",
        },
        "counters": {
            1: ["ktp-el-rekam", "ktp-el-cetak"],
            2: ["ktp-el-rekam", "ktp-el-cetak"],
            3: ["kartu-keluarga", "surat-pindah"],
            4: ["kartu-keluarga", "akta-kelahiran"],
            5: ["akta-kelahiran"],
            6: ["ktp-el-cetak", "kartu-keluarga", "akta-kelahiran", "surat-pindah"],
        },
    },
    {
        "code": "disdukcapil-ambon",
        "name": "Dinas Kependudukan dan Pencatatan Sipil Kota Ambon",
        "kind": "civil_registry",
        "address": "Jl. Sultan Hasanudin, Tantui",
        "regency": "Kota Ambon",
        "province": "Maluku",
        "latitude": "-3.679600",
        "longitude": "128.180500",
        "timezone": "Asia/Jayapura",
        "phone": "0911-352411",
        "saturday": False,
        "services": {
            "ktp-el-rekam": "A",
            "ktp-el-cetak": "B",
            "kartu-keluarga": "C",
            "akta-kelahiran": "D",
        },
        "counters": {
            1: ["ktp-el-rekam", "ktp-el-cetak"],
            2: ["kartu-keluarga", "akta-kelahiran"],
            3: ["ktp-el-rekam", "ktp-el-cetak", "kartu-keluarga", "akta-kelahiran"],
        },
    },
    {
        "code": "mpp-denpasar",
        "name": "Mal Pelayanan Publik Kota Denpasar",
        "kind": "service_mall",
        "address": "Graha Sewaka Dharma, Jl. Majapahit No. 1, Lumintang",
        "regency": "Kota Denpasar",
        "province": "Bali",
        "latitude": "-8.644600",
        "longitude": "115.209300",
        "timezone": "Asia/Makassar",
        "phone": "0361-4740044",
        "saturday": True,
        "services": {
            "paspor-ganti": "A",
            "ktp-el-cetak": "B",
            "kartu-keluarga": "C",
            "bpjs-ubah-data": "D",
            "sim-perpanjang": "E",
        },
        # Faster than the national standard here (number, unit).
        "faster": {"ktp-el-cetak": (1, "hours"), "kartu-keluarga": (None, "same_day")},
        "counters": {
            1: ["paspor-ganti"],
            2: ["ktp-el-cetak", "kartu-keluarga"],
            3: ["ktp-el-cetak", "kartu-keluarga"],
            4: ["bpjs-ubah-data"],
            5: ["sim-perpanjang"],
        },
    },
    {
        "code": "bpjs-makassar",
        "name": "BPJS Kesehatan Kantor Cabang Makassar",
        "kind": "health_insurance",
        "address": "Jl. A. P. Pettarani No. 78, Tamamaung",
        "regency": "Kota Makassar",
        "province": "Sulawesi Selatan",
        "latitude": "-5.158000",
        "longitude": "119.437000",
        "timezone": "Asia/Makassar",
        "phone": "165",
        "saturday": False,
        "services": {"bpjs-daftar": "A", "bpjs-ubah-data": "B", "bpjs-informasi": "C"},
        "counters": {
            1: ["bpjs-daftar", "bpjs-ubah-data"],
            2: ["bpjs-daftar", "bpjs-ubah-data"],
            3: ["bpjs-ubah-data", "bpjs-informasi"],
            4: ["bpjs-informasi"],
        },
    },
    {
        "code": "mpp-jakarta",
        "name": "Mal Pelayanan Publik DKI Jakarta",
        "kind": "service_mall",
        "address": "Gedung Ali Sadikin, Jl. Medan Merdeka Selatan No. 8-9",
        "regency": "Kota Jakarta Pusat",
        "province": "DKI Jakarta",
        "latitude": "-6.181300",
        "longitude": "106.827600",
        "timezone": "Asia/Jakarta",
        "phone": "021-3822255",
        "saturday": False,
        "services": {
            "paspor-baru": "A",
            "paspor-ganti": "B",
            "ktp-el-cetak": "C",
            "bpjs-daftar": "D",
            "bpjs-ubah-data": "E",
            "sim-perpanjang": "F",
        },
        # Booked and visited on the same day: the message journey (book, reminder,
        # check-in, call, survey) can be tried in one sitting; see the README.
        "same_day": ["bpjs-ubah-data"],
        # Faster than the national standard here (number, unit).
        "faster": {"ktp-el-cetak": (None, "same_day")},
        "counters": {
            1: ["paspor-baru", "paspor-ganti"],
            2: ["paspor-baru", "paspor-ganti"],
            3: ["ktp-el-cetak"],
            4: ["bpjs-daftar", "bpjs-ubah-data"],
            5: ["sim-perpanjang"],
        },
    },
]


# Demo staff, one of each role. The Jakarta staff work at both Jakarta offices (the
# immigration office serves at the service mall too), so the README's walk-through at
# MPP Jakarta can be done with their logins; the others have one office each: enough
# to try office scoping.
class StaffSpec(TypedDict):
    username: str
    name: str
    offices: list[str]
    role: str


JAKARTA = ["kanim-jakarta-pusat", "mpp-jakarta"]
STAFF: list[StaffSpec] = [
    {
        "username": "admin.jakarta",
        "name": "Rina Wulandari",
        "offices": JAKARTA,
        "role": "administrator",
    },
    {
        "username": "supervisor.jakarta",
        "name": "Bambang Sutrisno",
        "offices": JAKARTA,
        "role": "supervisor",
    },
    {
        # Reads the pungli reports about the Jakarta offices, and nothing else there.
        "username": "integritas.jakarta",
        "name": "Sri Handayani",
        "offices": JAKARTA,
        "role": "integrity",
    },
    {
        "username": "petugas.jakarta",
        "name": "Dewi Lestari",
        "offices": JAKARTA,
        "role": "clerk",
    },
    {
        "username": "supervisor.bandung",
        "name": "Asep Hidayat",
        "offices": ["disdukcapil-bandung"],
        "role": "supervisor",
    },
    {
        "username": "petugas.bandung",
        "name": "Siti Nurhaliza",
        "offices": ["disdukcapil-bandung"],
        "role": "clerk",
    },
    {
        "username": "petugas.denpasar",
        "name": "Made Suarjana",
        "offices": ["mpp-denpasar"],
        "role": "clerk",
    },
    {
        "username": "petugas.jayapura",
        "name": "Yohana Wenda",
        "offices": ["kanim-jayapura"],
        "role": "clerk",
    },
]
NATIONAL_ADMIN = {"username": "admin", "name": "Admin Nasional"}
